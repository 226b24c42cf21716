// Jest (release): the import-graph check of npm run lint (scripts/check-imports.mjs) on made-up trees.
// The import-graph check of `npm run lint` (scripts/check-imports.mjs), run on small made-up trees: it must name each
// use of test/ from scripts/, of scripts/ or test/ from nodes/ and credentials/, of the sources from scripts/ or from a
// test that is not a unit test, and each repeated base name, and pass a clean tree.
import { checkImportsOf } from '../helpers/run-imports-check';

/** test/ uses scripts/ every way there is; scripts/ and nodes/ stay on their side; only unit tests use the sources. */
const clean = {
	'scripts/lib/start.mjs': ['from:./proc.mjs', 'comment:../../test/unit/start-check.test.ts'],
	'scripts/lib/proc.mjs': [],
	'scripts/sandbox/api-sandbox.js': ['require:./sandbox-server'],
	'scripts/sandbox/sandbox-server.js': [],
	'scripts/engine/engine-runner.ts': ['root:dist/nodes/A/A.node.js'],
	'scripts/bench/tsconfig.json': '{\n\t// compiles the engine runner\n\t"extends": "../../tsconfig.json",\n\t"files": ["../engine/engine-runner.ts"],\n\t"include": [],\n}\n',
	'scripts/bench/run.mjs': ['root:scripts/sandbox/api-sandbox.js', 'bare:../lib/start.mjs'],
	'scripts/install-thing.sh': '#!/usr/bin/env bash\n# a made-up installer\n',
	'scripts/index.mjs': [],
	'test/unit/start-check.test.ts': ['from:../../scripts/lib/start.mjs', 'dynamic:../../scripts/engine/engine-runner', 'from:../helpers/api-fixture'],
	'test/helpers/api-fixture.ts': ['from:../../scripts/sandbox/api-sandbox'],
	'test/e2e/flows.e2e.mjs': ['root:scripts/lib/proc.mjs'],
	'test/unit/retry.test.ts': ['from:../../nodes/shared/retry'],
	'test/reliability/text.unit.test.ts': ['from:../../nodes/shared/retry', 'from:../../credentials/A.credentials'],
	'test/index.ts': [],
	'nodes/A/A.node.ts': ['from:../shared/retry', 'from:../../credentials/A.credentials'],
	'nodes/shared/retry.ts': [],
	'credentials/A.credentials.ts': [],
};

test('passes a clean tree and counts its edges', () => {
	expect(checkImportsOf(clean)).toEqual({
		status: 0,
		summary:
			'imports check: 17 files, 16 relative edges, scripts→test 0, test→scripts 4, nodes/credentials→scripts/test 0, ' +
			'unit tests→sources 3, 12 module base names in scripts/ and test/, none repeated',
		problems: [],
	});
});

test('names each use of test/ from scripts/, whatever its form', () => {
	const broken = checkImportsOf({
		...clean,
		'scripts/lib/start.mjs': ['from:./proc.mjs', 'from:../../test/helpers/api-fixture'],
		'scripts/lib/proc.mjs': ['dynamic:../../test/unit/start-check.test.ts'],
		'scripts/sandbox/api-sandbox.js': ['require:../../test/helpers/api-fixture.ts'],
		'scripts/bench/run.mjs': ['root:test/helpers/api-fixture.ts', 'bare:../../test/e2e/flows.e2e.mjs'],
		'scripts/bench/tsconfig.json': '{ "files": ["../../test/helpers/api-fixture.ts"], "include": ["../../test/**/*.ts"] }',
	});
	expect(broken).toEqual({
		status: 1,
		summary: '',
		problems: [
			'scripts/bench/run.mjs → test/e2e/flows.e2e.mjs: scripts/ must not use test/',
			'scripts/bench/run.mjs → test/helpers/api-fixture.ts: scripts/ must not use test/',
			'scripts/bench/tsconfig.json → test/helpers/api-fixture.ts: scripts/ must not use test/',
			'scripts/bench/tsconfig.json → test: scripts/ must not use test/',
			'scripts/lib/proc.mjs → test/unit/start-check.test.ts: scripts/ must not use test/',
			'scripts/lib/start.mjs → test/helpers/api-fixture: scripts/ must not use test/',
			'scripts/sandbox/api-sandbox.js → test/helpers/api-fixture.ts: scripts/ must not use test/',
		],
	});
});

test('names each use of scripts/ or test/ from nodes/ and credentials/', () => {
	const broken = checkImportsOf({
		...clean,
		'nodes/A/A.node.ts': ['from:../shared/retry', 'from:../../scripts/engine/engine-runner'],
		'nodes/shared/retry.ts': ['require:../../test/helpers/api-fixture'],
		'credentials/A.credentials.ts': ['dynamic:../scripts/lib/proc.mjs'],
	});
	expect(broken).toEqual({
		status: 1,
		summary: '',
		problems: [
			'credentials/A.credentials.ts → scripts/lib/proc.mjs: credentials/ must not use scripts/',
			'nodes/A/A.node.ts → scripts/engine/engine-runner: nodes/ must not use scripts/',
			'nodes/shared/retry.ts → test/helpers/api-fixture: nodes/ must not use test/',
		],
	});
});

test('names each use of the sources from scripts/ and from a test that is not a unit test', () => {
	const broken = checkImportsOf({
		...clean,
		'scripts/engine/engine-runner.ts': ['from:../../nodes/A/A.node', 'from:../../credentials/A.credentials'],
		'test/e2e/flows.e2e.mjs': ['from:../../nodes/A/A.node'],
	});
	const why = ' (only a unit test, in test/unit/ or named *.unit.test.ts, uses the sources; others use dist/)';
	expect(broken).toEqual({
		status: 1,
		summary: '',
		problems: [
			'scripts/engine/engine-runner.ts → nodes/A/A.node: scripts/ must not use nodes/',
			'scripts/engine/engine-runner.ts → credentials/A.credentials: scripts/ must not use credentials/',
			`test/e2e/flows.e2e.mjs → nodes/A/A.node: test/ must not use nodes/${why}`,
		],
	});
});

test('names each base name used twice in scripts/ and test/, whatever the suffix; index files aside', () => {
	const broken = checkImportsOf({
		...clean,
		'scripts/lib/flows.mjs': [],
		'test/unit/limits.test.ts': [],
		'test/nodes/A/limits.test.ts': [],
		'scripts/lib/proc.sh': '# a made-up shell library\n',
		'test/unit/index.ts': [],
		'nodes/A/start.ts': [],
	});
	expect(broken).toEqual({
		status: 1,
		summary: '',
		problems: [
			'base name "flows" repeated: scripts/lib/flows.mjs, test/e2e/flows.e2e.mjs',
			'base name "proc" repeated: scripts/lib/proc.mjs, scripts/lib/proc.sh',
			'base name "limits" repeated: test/nodes/A/limits.test.ts, test/unit/limits.test.ts',
		],
	});
});
