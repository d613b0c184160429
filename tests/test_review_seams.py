"""The seams the issue-18 review found written twice, now written once: each test names the
decision it pins, and reaches the API without the command line."""

import warnings

import numpy as np
import pytest

import identkit as ik
from identkit import _verdicts


def _ex9_check(regularize):
    from identkit.symbolic import check_mechanism, mechanism_from_dict

    return check_mechanism(mechanism_from_dict(ik.examples.get("mechanism-ex9").spec), regularize)


def test_theorem_section_lists_only_the_regularized_graphs_routes():
    # Example 9 has both graphs; with only Ga regularized, Theorems 3 and 5 (for Gz) are not
    # part of the verdict and must not be listed as if they were
    res = _ex9_check("a")
    section = res.to_text().split("Theorems (per regularized graph):")[1].split("\n\n")[0]
    assert "Theorem 1 for Ga" in section
    assert "for Gz" not in section
    assert _verdicts.theorem_lines(res.guarantee) == [
        "Theorems (per regularized graph):", "  Theorem 1 for Ga: holds",
        "  justified pattern C = [[1, 1, 1], [0, 1, 0], [1, 1, 1]]"]


def test_both_backends_print_their_verdict_through_the_one_text():
    from identkit.numeric import check_mechanism, make_mechanism

    num = check_mechanism(make_mechanism(ik.examples.get("ActionNonDiag").graph, "nonlinear"))
    sym = _ex9_check(None)
    for res, graphs in ((num, "measured"), (sym, "derived")):
        assert res.to_dict()["graph_alone"] == _verdicts.graph_alone(res.report, graphs=graphs)
        assert _verdicts.holding_routes(res.guarantee) in res.verdict()
        assert "\n".join(_verdicts.theorem_lines(res.guarantee)) in res.to_text()
    assert num.verdict().endswith(", by numerical rank tests at sampled points.")


def test_mechanism_data_is_recognised_by_the_io_test_in_both_places(monkeypatch):
    from identkit import io
    from identkit.symbolic import is_mechanism_dict
    from identkit.symbolic import mechanism as mech_module

    for data in ({"mean": {}}, {"log_density": "0"}, {"Gz": [[1]]}, [("mean", 1)], None):
        assert is_mechanism_dict(data) is io.is_mechanism_data(data)
    monkeypatch.setattr(mech_module, "is_mechanism_data", lambda data: "the io test")
    assert is_mechanism_dict({}) == "the io test"


def test_deprecated_mechanism_lookup_goes_through_the_catalogue_lookup():
    from identkit.symbolic import catalogue

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert catalogue.get_mechanism_example("EX9").name == "ex9"  # case-insensitive, as get
        with pytest.raises(ik.errors.ExampleNotFoundError, match="no worked mechanism named 'ex4'"):
            catalogue.get_mechanism_example("ex4")  # a graph entry's name is no mechanism
        with pytest.raises(ik.errors.ExampleNotFoundError, match="known: ex9, "):
            catalogue.get_mechanism_example("nope")
    with pytest.warns(DeprecationWarning, match="mechanism-"):
        catalogue.get_mechanism_example("ex9")


@pytest.mark.parametrize("argv", [
    ["verify", "--example", "ex4", "--maps", "-1"],
    ["verify", "--example", "ex4", "--seed", "-1"],
    ["generate", "ActionDiag", "--samples", "0", "-o", "x.npz"],
    ["generate", "ActionDiag", "--samples", "3", "--graph-seed", "-2", "-o", "x.npz"],
    ["theorems", "--seed", "-1"],
])
def test_out_of_range_numbers_are_refused_by_the_parser_alone(argv, capsys):
    # the commands no longer re-check these: the option types are the one place
    from identkit.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "is out of range: give an integer from" in err and err.count("\n") == 1


def test_picture_format_is_decided_once_for_save_and_the_draw_command(tmp_path, capsys):
    from identkit import plot
    from identkit.cli import main

    assert [plot.picture_format(f"f.{e}") for e in ("svg", "PNG", "Pdf")] == ["svg", "png", "pdf"]
    with pytest.raises(ik.errors.OutputError, match="not 'no extension'"):
        plot.picture_format(tmp_path / "picture")
    assert main(["draw", "--example", "ex8", "-o", str(tmp_path / "x.jpg")]) == 2
    assert capsys.readouterr().err == (f"identkit: error: {tmp_path / 'x.jpg'}: the picture must "
                                       "be .svg, .png or .pdf, not '.jpg'\n")
    # refused before the model is read: a missing file is not what the message names
    assert main(["draw", str(tmp_path / "missing.json"), "-o", "x.gif"]) == 2
    assert "the picture must be" in capsys.readouterr().err


def test_write_dataset_names_the_three_split_files_after_the_stem(tmp_path):
    from identkit.numeric import generate_splits, write_dataset

    files = write_dataset("TimeDiag", tmp_path / "td.npz", 40, split="all", seed=3, d=2)
    assert list(files) == [str(tmp_path / f"td_{s}.npz") for s in ("train", "valid", "test")]
    want = generate_splits("TimeDiag", 40, seed=3, d=2)
    for (path, data), split in zip(files.items(), ("train", "valid", "test")):
        with np.load(path) as saved:
            assert set(saved.files) == set(data)
            np.testing.assert_array_equal(saved["x"], want[split]["x"])
    assert not (tmp_path / "td.npz").exists()


def test_write_dataset_refuses_a_non_npz_output_before_drawing(tmp_path):
    from identkit.numeric import write_dataset

    with pytest.raises(ik.errors.OutputError, match="must be an .npz file"):
        write_dataset("no such dataset", tmp_path / "out.csv", 10)  # the path is checked first
    files = write_dataset("ActionDiag", tmp_path / "one.npz", 7, split="test", d=2)
    assert list(files) == [str(tmp_path / "one.npz")]
    assert files[str(tmp_path / "one.npz")]["x"].shape[0] == 7


def test_route_names_its_regularized_graph_and_the_old_name_warns():
    from identkit.guarantees import action_route

    r = action_route([("a1", True)], discrete=False)
    assert r.regularized == "a" and r.to_dict()["graph"] == "Ga"  # the JSON key stays
    with pytest.warns(DeprecationWarning, match="Route.regularized"):
        assert r.graph == "a"


def test_guarantee_names_its_justified_letters_as_its_json_key_and_the_old_name_warns():
    res = _ex9_check(None)
    gu = res.guarantee
    assert gu.justified_by == gu.to_dict()["justified_by"] == res.to_dict()["justified_by"]
    assert res.justified.regularize == gu.justified_by  # the check's justified: its analysis
    with pytest.warns(DeprecationWarning, match="Guarantee.justified_by"):
        assert gu.justified == gu.justified_by


def test_every_old_argument_order_goes_through_the_one_graph_first_path():
    from matplotlib.figure import Figure

    from identkit import plot
    from identkit.metrics import rcon

    g = ik.examples.get("ex4").graph
    z = np.random.default_rng(0).standard_normal((200, 3))
    calls = {"is_graph_preserving": lambda: ik.is_graph_preserving(np.eye(3), g),
             "draw_graph": lambda: plot.draw_graph(Figure().subplots(), g),
             "rcon": lambda: rcon(z, z, g)}
    for name, call in calls.items():
        with pytest.warns(DeprecationWarning) as rec:
            call()
        msg = str(rec[0].message)
        assert msg.startswith(f"{name}: the graph comes first now; the order (")
        assert msg.endswith(f"is deprecated: pass the graph first, {name}(g, ...)") or \
            msg.endswith(f"is deprecated: pass the graph first, {name}(graph, ...)")
    # keywords in the old order reach the same parameters
    M = [[1, 0.4, 0], [0, 1, 0], [0, 0, 1]]
    with pytest.warns(DeprecationWarning):
        old = ik.is_graph_preserving(M, g=g, atol=0.5)
    assert old == ik.is_graph_preserving(g, M, atol=0.5)


def test_a_call_that_starts_with_a_graph_is_in_the_new_order_even_if_another_graph_follows():
    from identkit._compat import graph_first

    @graph_first("other", "g")
    def first_of(g, other):
        return g

    g1, g2 = ik.LatentGraph(Gz=[[1]]), ik.LatentGraph(Gz=[[1, 0], [0, 1]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert first_of(g1, g2) is g1
    with pytest.warns(DeprecationWarning):
        assert first_of("data", g2) is g2


def test_an_argument_given_both_ways_in_the_old_order_is_a_type_error():
    with pytest.raises(TypeError, match="got multiple values for argument 'M'"):
        ik.is_graph_preserving(np.eye(3), ik.examples.get("ex4").graph, M=np.eye(3))


def test_every_catalogue_entry_prints_itself_as_the_examples_command_does(capsys):
    from identkit.cli import main

    for name in ("ex4", "fig1", "mechanism-ex9"):
        ex = ik.examples.get(name)
        for fmt in ("json", "yaml", "text"):
            if ex.kind == "mechanism" and fmt == "text":
                with pytest.raises(ik.errors.OutputError):
                    ex.dumps(fmt)
                continue
            assert main(["examples", name, "--format", fmt]) == 0
            assert capsys.readouterr().out == ex.dumps(fmt)
    assert ik.examples.get("ex4").dumps("yaml") == ik.io.dumps_graph(ik.examples.get("ex4").graph,
                                                                     "yaml")
