// Jest (release): the docs check of npm run lint (scripts/check-docs.mjs) on made-up repositories.
// The docs check of `npm run lint` (scripts/check-docs.mjs), run on a small made-up repository: it must name each
// broken link, anchor, documentation URL and npm script, each n8n environment variable n8n does not have and each
// screenshot no page uses, and pass when they are fixed.
import { checkDocsOf } from '../helpers/run-docs-check';

const REPO = 'https://github.com/n8n-nodes-rankr/n8n-nodes-rankr';

const good = {
	'package.json': JSON.stringify({ scripts: { sandbox: 'x', 'bench:scale': 'y' } }),
	'README.md': [
		'# n8n-nodes-rankr',
		'See [credentials](docs/credentials.md#activatepro-api), [the sandbox](#try-it-first) and ![a flow](docs/screenshots/a.png).',
		'## Try it first',
		'Run `npm run sandbox`, or npm run bench:scale.',
		'```',
		'[not a link](nowhere.md) npm run sandbox',
		'```',
	].join('\n'),
	'docs/credentials.md': '# Credentials\n\n## ActivatePro API\n\nBack to [the front page](../README.md#n8n-nodes-rankr).\n',
	'docs/screenshots/a.png': 'png',
	'docs/self-hosting.md': [
		'# Self-hosting',
		'',
		'Set `N8N_LOG_LEVEL=debug` (or `N8N_LOG_LEVEL_FILE`), `N8N_REINSTALL_MISSING_PACKAGES=true`, any of `N8N_LOG_*`.',
		'```sh',
		'DB_TYPE=postgresdb QUEUE_BULL_REDIS_HOST=redis N8N_VERSION=lts npm run sandbox',
		'```',
	].join('\n'),
	'nodes/A/A.node.json': JSON.stringify({ resources: { primaryDocumentation: [{ url: `${REPO}/blob/main/docs/credentials.md` }] } }),
	'credentials/A.credentials.ts': `documentationUrl = '${REPO}/blob/main/docs/credentials.md#activatepro-api';\n`,
};

test('passes when every link, anchor, documentation URL and npm script resolves', () => {
	expect(checkDocsOf(good)).toEqual({ status: 0, problems: [] });
});

test('names each broken one, with its file and line', () => {
	const broken = checkDocsOf({
		...good,
		'README.md': good['README.md'] + '\nA [missing page](docs/nope.md), [a missing heading](docs/credentials.md#email-api), `npm run sandbox:seed`.\n',
		'credentials/A.credentials.ts': `documentationUrl = '${REPO}#rankr-webhook-credential';\n`,
	});
	expect(broken).toEqual({
		status: 1,
		problems: [
			'README.md:8: "npm run sandbox:seed": package.json has no script "sandbox:seed"',
			'README.md:8: docs/nope.md: no file docs/nope.md',
			'README.md:8: docs/credentials.md#email-api: docs/credentials.md has no heading #email-api',
			`credentials/A.credentials.ts (documentation URL): ${REPO}#rankr-webhook-credential: README.md has no heading #rankr-webhook-credential`,
		],
	});
});

test('names each environment variable n8n does not have, code blocks included, with its page and line', () => {
	// The made-up repository has no node_modules: the check reads @n8n/config beside scripts/check-docs.mjs.
	const result = checkDocsOf({
		...good,
		'docs/self-hosting.md':
			good['docs/self-hosting.md'] + '\nSet `N8N_NOT_A_REAL_SETTING=1`.\n```sh\nN8N_LOG_LEVEL=info N8N_NOT_A_REAL_SETTING=2 n8n start\n```\n',
	});
	const unknown = (line: number) =>
		expect.stringMatching(new RegExp(`^docs/self-hosting\\.md:${line}: N8N_NOT_A_REAL_SETTING: n8n has no such environment variable \\(not in @n8n/config \\d`));
	expect(result).toEqual({ status: 1, problems: [unknown(7), unknown(9)] });
});

test('names each screenshot no page shows or links', () => {
	const result = checkDocsOf({
		...good,
		'docs/screenshots/b.png': 'png',
		'docs/screenshots/linked.png': 'png',
		'docs/credentials.md': good['docs/credentials.md'] + 'A [picture](screenshots/linked.png); `![not shown](screenshots/b.png)` is code.\n',
	});
	expect(result).toEqual({ status: 1, problems: ['docs/screenshots/b.png: no document shows or links this screenshot'] });
});
