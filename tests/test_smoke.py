from conftest import EXAMPLES, docx_text, run_cli


def test_every_example_renders(workdir):
    for example in EXAMPLES:
        result = run_cli("render", f"answers/{example.name}", cwd=workdir)
        assert result.returncode == 0, result.stderr
        out = workdir / "out" / f"{example.stem}.docx"
        assert "Kommissorium for" in docx_text(out)
