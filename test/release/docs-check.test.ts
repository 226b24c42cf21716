// Jest (release): the docs check of npm run lint (scripts/check-docs.mjs) on made-up repositories.
// The docs check of `npm run lint` (scripts/check-docs.mjs), run on a small made-up repository: it must name each
// broken link, anchor, documentation URL and npm script, and pass when they are fixed.
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
