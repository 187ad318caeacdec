"""cfn-lint passes on every synthesized template of both profiles (rules ignored only in .cfnlintrc, with reasons)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.infra.synth_support import REPO_ROOT, SynthesizedApp


def test_cfn_lint_passes_on_synthesized_templates_of_both_profiles(synthesized: SynthesizedApp) -> None:
    templates = synthesized.template_paths()
    assert len(templates) == sum(len(deployment.stacks) for deployment in synthesized.deployments.values())
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    # cwd is the repo root so cfn-lint picks up .cfnlintrc.
    result = subprocess.run(
        [str(cfn_lint), *map(str, templates)], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
