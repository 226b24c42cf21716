// Jest (release): the publish workflow and what npm pack ships.
// The release path, checked here because it can only run on GitHub: the workflow files say what matters, and
// `npm pack` publishes the built package and nothing else.
import { parse } from 'yaml';

import { packList, readRepoFile } from '../helpers/repo-files';

interface Step {
	name?: string;
	run?: string;
	uses?: string;
	with?: Record<string, unknown>;
	env?: Record<string, unknown>;
}
interface Workflow {
	on: Record<string, unknown>;
	permissions?: Record<string, string>;
	jobs: Record<string, { steps: Step[]; permissions?: Record<string, string> }>;
}

const workflow = (file: string) => parse(readRepoFile(file)) as Workflow;
const runs = (steps: Step[]) => steps.map((s) => s.run ?? '');

describe('.github/workflows/publish.yml', () => {
	const publish = workflow('.github/workflows/publish.yml');
	const steps = Object.values(publish.jobs).flatMap((job) => job.steps);
	const commands = runs(steps);
	const at = (pattern: RegExp) => commands.findIndex((c) => pattern.test(c));

	test('runs on version tags only', () => {
		expect(Object.keys(publish.on)).toEqual(['push']);
		const push = publish.on.push as { tags?: string[]; branches?: unknown };
		expect(push.branches).toBeUndefined();
		expect(push.tags).toEqual(['v*.*.*']);
	});

	test('may mint an OIDC token and read the code, nothing else', () => {
		expect(publish.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
		for (const job of Object.values(publish.jobs)) expect(job.permissions).toBeUndefined();
	});

	test('publishes with provenance and no long-lived token', () => {
		const publishing = commands.filter((c) => /npm publish/.test(c));
		expect(publishing).toHaveLength(1);
		expect(publishing[0]).toMatch(/--provenance/);
		const text = readRepoFile('.github/workflows/publish.yml');
		expect(text).not.toMatch(/NODE_AUTH_TOKEN|NPM_TOKEN|secrets\./);
		expect(commands.some((c) => /npm install -g npm@\^11\.5\.1/.test(c))).toBe(true); // trusted publishing needs npm >= 11.5.1
	});

	test('checks the tag, builds, lints and tests before it publishes', () => {
		const published = at(/npm publish/);
		for (const before of [/\$GITHUB_REF_NAME/, /^npm ci$/, /^npm run build$/, /^npm run lint$/, /^npm test$/]) {
			const index = at(before);
			expect(index).toBeGreaterThanOrEqual(0);
			expect(index).toBeLessThan(published);
		}
	});
});

describe('.github/workflows/ci.yml', () => {
	const ci = workflow('.github/workflows/ci.yml');
	test('runs what .ci/run runs, on pushes to main and on pull requests, with read access only', () => {
		expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
		expect(ci.permissions).toEqual({ contents: 'read' });
		expect(runs(Object.values(ci.jobs).flatMap((job) => job.steps))).toContain('bash .ci/run');
	});
});

describe('npm pack', () => {
	const pack = packList() as { files: string[]; size: number; unpackedSize: number };
	test('publishes the built package only: dist (no maps, no build info), index.js, package.json, README, LICENSE', () => {
		const outside = pack.files.filter((f) => !f.startsWith('dist/') && !['index.js', 'package.json', 'README.md', 'LICENSE'].includes(f));
		expect(outside).toEqual([]);
		expect(pack.files.filter((f) => /\.map$|\.tsbuildinfo$|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
		expect(pack.files.filter((f) => /(^|\/)(test|scripts|examples|sandbox)\//.test(f))).toEqual([]);
	});

	test('holds every node and credential package.json names, with their icons and codex files', () => {
		const pkg = JSON.parse(readRepoFile('package.json')) as { n8n: { nodes: string[]; credentials: string[] } };
		for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(pack.files).toContain(file);
		for (const node of pkg.n8n.nodes) expect(pack.files).toContain(node.replace(/\.node\.js$/, '.node.json'));
		expect(pack.files.filter((f) => f.endsWith('.svg'))).toHaveLength(6);
	});
});
