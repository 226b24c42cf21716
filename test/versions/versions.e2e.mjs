#!/usr/bin/env node
// npm run test:versions: what an n8n version could change under the nodes, in a real n8n 1.123 and 2.41.
// The behaviours that n8n versions could change under the nodes, checked in a real n8n of each version the
// package supports (n8n 1.123 LTS on Node 20, n8n 2.41 on Node 24), against the sandboxes:
//   error output   failed items of a bulk run and of a per-item run reach "Continue (using error output)"'s
//                  error branch, paired to their input; with "Continue (regular output)" they stay on main
//   answer lost    a dropped connection after the server acted is a transport failure: an upsert is retried,
//                  the Email API create looks the user up instead of creating it twice
//   OAuth2         an expired access token is refreshed by n8n and the call goes through
//   logs           n8n runs at debug level: the nodes' lines for retries, 429 waits, a lost create answer and a
//                  2,500-item batch with a bad entry are in n8n's log, with no key, token or email in sight
// (The Rankr Trigger's answers are covered per version by the e2e flows suite.)
//   node test/versions/versions.e2e.mjs [--n8n 2.41.0,1.123.81] [--verbose] [--keep]
// Needs the package built. Ends with "N passed, M failed"; exit 1 on any failure.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { builtPackage, importedCli, installN8n, logTail, prepareUserFolder } from '../../scripts/lib/n8n.mjs';
import { Failure, onShutdown, seconds } from '../../scripts/lib/proc.mjs';
import { closeSandboxes, DOCUMENTED_VERSION, startSandboxes } from '../../scripts/lib/sandboxes.mjs';
import { parseFlags, runSuite } from '../../scripts/lib/suite.mjs';
import { N8N_VERSIONS, resolveN8nVersion } from '../../scripts/lib/n8n-versions.mjs';

const say = (text = '') => console.log(text);
let checks;

const CLIENT = { id: 'rankr-versions-client', secret: `rankr-client-secret-${randomBytes(8).toString('hex')}` };
const ALL_SCOPES = ['users.readonly', 'users.write', 'workflows.readonly', 'contacts.readonly', 'contacts.write', 'courses.write'];
const CRED = {
	activatePro: { id: 'vActivatePro01', name: 'ActivatePro (sandbox)', type: 'activateProApi' },
	emailApi: { id: 'vEmailApiKey01', name: 'Email API (sandbox)', type: 'emailApiKeyApi' },
	readOnly: { id: 'vEmailApiRO001', name: 'Email API, read-only token', type: 'emailApiKeyApi' },
	oauth: { id: 'vRankrOAuth201', name: 'Rankr OAuth2 (sandbox)', type: 'rankrOAuth2Api' },
};

// ---------- the workflows: manual trigger -> sample items -> one of our nodes -> "OK" / "Failed" ----------

function workflow(id, name, items, node, { errorOutput = true } = {}) {
	const trigger = { id: `${id}-t`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
	const sample = {
		id: `${id}-s`,
		name: 'Sample',
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position: [200, 0],
		parameters: { mode: 'raw', jsonOutput: JSON.stringify({ items }), options: {} },
	};
	const split = { id: `${id}-p`, name: 'Split', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [400, 0], parameters: { fieldToSplitOut: 'items', options: {} } };
	const subject = { id: `${id}-n`, name: 'Subject', typeVersion: 1, position: [600, 0], onError: errorOutput ? 'continueErrorOutput' : 'continueRegularOutput', ...node };
	const ok = { id: `${id}-o`, name: 'OK', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [800, -100], parameters: {} };
	const failed = { id: `${id}-f`, name: 'Failed', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [800, 100], parameters: {} };
	const main = errorOutput ? [[{ node: 'OK', type: 'main', index: 0 }], [{ node: 'Failed', type: 'main', index: 0 }]] : [[{ node: 'OK', type: 'main', index: 0 }]];
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: errorOutput ? [trigger, sample, split, subject, ok, failed] : [trigger, sample, split, subject, ok],
		connections: {
			Start: { main: [[{ node: 'Sample', type: 'main', index: 0 }]] },
			Sample: { main: [[{ node: 'Split', type: 'main', index: 0 }]] },
			Split: { main: [[{ node: 'Subject', type: 'main', index: 0 }]] },
			Subject: { main },
		},
		pinData: {},
	};
}

const credential = (c) => ({ [c.type]: { id: c.id, name: c.name } });
const activatePro = (parameters) => ({ type: 'n8n-nodes-rankr.activateProUser', parameters, credentials: credential(CRED.activatePro) });
const emailApi = (parameters, cred = CRED.emailApi) => ({ type: 'n8n-nodes-rankr.emailApi', parameters, credentials: credential(cred) });

const BULK_USERS = [
	{ id: 'vb-1', email: 'vb1@example.com' },
	{ id: 'vb-2', email: 'not-an-email' },
	{ id: 'vb-3', email: 'vb3@example.com' },
	{ id: 'vb-4', email: 'also not an email' },
	{ id: 'vb-5', email: 'vb5@example.com' },
];
const bulk = { operation: 'batch', userId: '={{ $json.id }}', email: '={{ $json.email }}', attributeSource: 'none' };
const create = (email, name) => [{ email, name }];
const createParameters = { resource: 'user', operation: 'create', email: '={{ $json.email }}', fullName: '={{ $json.name }}', role: 'user' };

/** Each scenario: its workflow, what to do to the sandboxes first, and what must hold after the run. */
const SCENARIOS = [
	{
		name: 'bulk run, error output',
		workflow: workflow('vWfBulkErrOut01', 'versions: bulk error output', BULK_USERS, activatePro(bulk)),
		check: (run) => {
			const [ok, failed] = [outputOf(run, 'Subject', 0), outputOf(run, 'Subject', 1)];
			checks.check(ok.length === 3 && failed.length === 2, 'the 2 invalid users come out on the error output, the 3 others on success', `success ${ok.length}, error ${failed.length}`);
			const failedIds = failed.map((item) => item.json.id ?? item.json.details?.userId).sort();
			checks.check(JSON.stringify(failedIds) === '["vb-2","vb-4"]', 'each error item is paired with its input (vb-2, vb-4) and says why', JSON.stringify(failed.map((i) => i.json)));
			checks.check(failed.every((item) => typeof item.json.error === 'string' && /email/i.test(item.json.error)), 'the error items name the email as the problem', JSON.stringify(failed.map((i) => i.json.error)));
			checks.check(nodeRan(run, 'Failed') === 2, 'the error branch ran with 2 items', `it got ${nodeRan(run, 'Failed')}`);
		},
	},
	{
		name: 'bulk run, regular output',
		workflow: workflow('vWfBulkRegOut01', 'versions: bulk regular output', BULK_USERS, activatePro(bulk), { errorOutput: false }),
		check: (run) => {
			const out = outputOf(run, 'Subject', 0);
			const errors = out.filter((item) => item.json.error !== undefined && typeof item.json.error === 'string');
			checks.check(out.length === 5 && errors.length === 2, 'all 5 items stay on the one output, 2 of them carrying `error`', `out ${out.length}, with error ${errors.length}`);
		},
	},
	{
		name: 'per-item run, error output',
		workflow: workflow('vWfScopeErrOut1', 'versions: create without users.write', create('noscope@example.com', 'No Scope'), emailApi(createParameters, CRED.readOnly)),
		check: (run, { emailapi }) => {
			const [ok, failed] = [outputOf(run, 'Subject', 0), outputOf(run, 'Subject', 1)];
			checks.check(ok.length === 0 && failed.length === 1, 'a create refused for the missing users.write scope comes out on the error output', `success ${ok.length}, error ${failed.length}`);
			checks.check(/users\.write/.test(String(failed[0]?.json.error)), 'its message names the users.write scope', String(failed[0]?.json.error));
			checks.check(failed[0]?.json.email === 'noscope@example.com', 'it carries its input item', JSON.stringify(failed[0]?.json));
			const creates = emailapi.requests('POST /users').map((q) => q.status);
			checks.check(JSON.stringify(creates) === '[401]', 'one create request, refused with 401 and not repeated', JSON.stringify(creates));
		},
	},
	{
		name: 'answer lost on an upsert',
		workflow: workflow('vWfUpsertLost01', 'versions: upsert answer lost', [{ id: 'vl-1', email: 'lost@example.com' }], activatePro({ operation: 'upsert', userId: '={{ $json.id }}', email: '={{ $json.email }}', attributeSource: 'none' })),
		before: ({ activatepro }) => activatepro.faults.add({ route: 'PUT /users', kind: 'dropAfterProcess' }),
		check: (run, { activatepro }) => {
			const [ok, failed] = [outputOf(run, 'Subject', 0), outputOf(run, 'Subject', 1)];
			checks.check(ok.length === 1 && failed.length === 0, 'the dropped connection is retried and the upsert succeeds', `success ${ok.length}, error ${failed.length}: ${JSON.stringify(failed[0]?.json)}`);
			checks.check(activatepro.requests('PUT /users').length === 2, 'two PUTs: the lost one and its retry', `${activatepro.requests('PUT /users').length}`);
			checks.check(activatepro.users.get('vl-1')?.email === 'lost@example.com', 'ActivatePro holds the user', JSON.stringify(activatepro.users.get('vl-1')));
		},
	},
	{
		name: 'answer lost on an Email API create',
		workflow: workflow('vWfCreateLost01', 'versions: create answer lost', create('lost.create@example.com', 'Lost Create'), emailApi(createParameters)),
		before: ({ emailapi }) => emailapi.faults.add({ route: 'POST /users', kind: 'dropAfterProcess' }),
		check: (run, { emailapi }, log) => {
			const [ok, failed] = [outputOf(run, 'Subject', 0), outputOf(run, 'Subject', 1)];
			checks.check(ok.length === 1 && failed.length === 0, 'the create whose answer was lost comes out as a success', `success ${ok.length}, error ${failed.length}: ${JSON.stringify(failed[0]?.json)}`);
			const held = [...emailapi.users.values()].filter((u) => !u.deleted && u.email === 'lost.create@example.com');
			checks.check(held.length === 1, 'the user exists once (looked up, not created twice)', `${held.length} users with that email`);
			checks.check(emailapi.requests('POST /users').length === 1, 'one create request only', `${emailapi.requests('POST /users').length} sent`);
			checks.check(
				log.has('info', /create answer lost \(item 1\); found the user by email \(id \S+\), not creating again/),
				'the log says the answer was lost and the user found by email, not created again',
				log.text(),
			);
		},
	},
	{
		name: 'logs: a 5xx burst and a 429',
		workflow: workflow('vWfLogsRetry001', 'versions: 5xx burst and 429', [{ id: 'vr-1', email: 'retry@example.com' }], activatePro({ operation: 'upsert', userId: '={{ $json.id }}', email: '={{ $json.email }}', attributeSource: 'none' })),
		before: ({ activatepro }) => {
			activatepro.faults.add({ route: 'PUT /users', kind: 'status', status: 503, times: 2 });
			activatepro.faults.add({ route: 'PUT /users', kind: 'status', status: 429, headers: { 'Retry-After': '1' } });
		},
		check: (run, { activatepro }, log) => {
			checks.check(outputOf(run, 'Subject', 0).length === 1, 'the upsert succeeds after two 503s and a 429', JSON.stringify(outputOf(run, 'Subject', 1)[0]?.json));
			checks.check(activatepro.requests('PUT /users').length === 4, 'four PUTs: 503, 503, 429, 200', `${activatepro.requests('PUT /users').length}`);
			checks.check(
				log.has('warn', /ActivatePro answered 503 to PUT \/users \(item 1\): retry 1 of 5 in \d/) && log.has('warn', /answered 503 .*retry 2 of 5 in/),
				'the log has each retry: status, request, attempt and delay',
				log.text(),
			);
			const tagged = log.records.find((r) => /429 from ActivatePro/.test(r.message));
			const meta = tagged?.metadata ?? {};
			checks.check(meta.workflowId === 'vWfLogsRetry001' && meta.node === 'Subject' && typeof meta.executionId === 'string', 'each line carries the workflow, node and execution ids', JSON.stringify(tagged));
			checks.check(log.has('info', /429 from ActivatePro \(PUT \/users \(item 1\)\): waiting 1\.0 s as Retry-After says/), 'the log has the 429 and how long it waited', log.text());
		},
	},
	{
		name: 'logs: 2,500 users in bulk, one bad',
		workflow: workflow(
			'vWfLogsBulk0001',
			'versions: bulk progress',
			Array.from({ length: 2500 }, (_, i) => ({ id: `vp-${i}`, email: i === 1234 ? 'not an email' : `vp${i}@example.com` })),
			activatePro({ ...bulk, options: { waitForCompletion: true } }),
		),
		check: (run, { activatepro }, log) => {
			checks.check(outputOf(run, 'Subject', 0).length === 2499 && outputOf(run, 'Subject', 1).length === 1, '2,499 users accepted, the bad one on the error output', `${outputOf(run, 'Subject', 0).length} / ${outputOf(run, 'Subject', 1).length}`);
			checks.check(activatepro.requests('POST /users/batch').length === 3, 'in 3 batch requests', `${activatepro.requests('POST /users/batch').length}`);
			checks.check(log.has('info', /batch 3 of 3 sent \(2499 of 2499 entries\) in/), 'the log shows the batches going out', log.text());
			checks.check(log.has('info', /tracking: 3 of 3 batches processed in/), 'the log shows tracking reaching all batches', log.text());
			checks.check(log.has('warn', /bulk: 1 of 2500 items failed; first: item 1235:/), 'the log counts the failed item once, naming it (not one line per item)', log.text());
			checks.check(!/vp\d+@example\.com/.test(log.lines.filter((l) => l.level !== 'debug').map((l) => l.message).join('\n')), 'no email in the info and warn lines', log.text());
		},
	},
	{
		name: 'OAuth2 token expired',
		workflow: workflow('vWfOAuthExpir01', 'versions: OAuth2 refresh', create('oauth.version@example.com', 'Oauth Version'), emailApi({ ...createParameters, authentication: 'oAuth2' }, CRED.oauth)),
		before: ({ emailapi }, state) => emailapi.expireToken(state.oauthToken.access_token),
		check: (run, { emailapi }) => {
			const [ok, failed] = [outputOf(run, 'Subject', 0), outputOf(run, 'Subject', 1)];
			checks.check(ok.length === 1 && failed.length === 0, 'n8n refreshed the expired access token and the create went through', `success ${ok.length}, error ${failed.length}: ${JSON.stringify(failed[0]?.json)}`);
			const calls = emailapi.requests().map((q) => `${q.method} ${q.path} ${q.status ?? 'dropped'}`);
			const expected = ['POST /users/ 401', 'POST /users/ 401', 'POST /oauth/token 200', 'POST /users/ 201'];
			checks.check(JSON.stringify(calls) === JSON.stringify(expected), 'the calls: 401, 401 again for n8n to see, token refresh, 201', calls.join(', '));
		},
	},
];

// ---------- reading a run ----------

function outputOf(run, node, index) {
	const runs = run?.data?.resultData?.runData?.[node] ?? [];
	return runs.flatMap((r) => r.data?.main?.[index] ?? []);
}

/** The nodes' own log lines of a run ("[Subject] …"), as { level, message }; has(level, text) finds one. */
function logOf(lines, raw) {
	const ours = lines.filter((l) => l.message.startsWith('[Subject] '));
	const records = raw
		.split('\n')
		.filter((line) => line.includes('"[Subject] '))
		.flatMap((line) => {
			try {
				return [JSON.parse(line)];
			} catch {
				return [];
			}
		});
	return {
		lines: ours,
		records,
		has: (level, pattern) => ours.some((l) => l.level === level && pattern.test(l.message)),
		text: () => ours.map((l) => `${l.level} ${l.message}`).join('\n'),
	};
}

function nodeRan(run, node) {
	return outputOf(run, node, 0).length;
}

// ---------- one n8n version ----------

async function oauthToken(emailapi) {
	emailapi.addOAuthClient(CLIENT.id, { clientSecret: CLIENT.secret, scopes: ALL_SCOPES });
	const code = emailapi.issueAuthCode(CLIENT.id, ALL_SCOPES);
	const response = await fetch(`${emailapi.url}/oauth/token`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ client_id: CLIENT.id, client_secret: CLIENT.secret, grant_type: 'authorization_code', code }),
	});
	if (!response.ok) throw new Failure(`the Email API sandbox refused the authorization code: ${response.status}`);
	return response.json();
}

async function runVersion(version, { verbose }) {
	const started = Date.now();
	const runtime = await installN8n({ version });
	say(`\nn8n ${runtime.n8nVersion} (Node ${path.basename(runtime.dir).split('-node-')[1]})`);
	const pkg = builtPackage();
	const { tmp, userFolder } = prepareUserFolder(pkg);
	const keys = { activatepro: `ap-v-${randomBytes(10).toString('hex')}`, emailapi: `pit-v-${randomBytes(10).toString('hex')}` };
	const sandboxes = await startSandboxes([
		{ name: 'activatepro', apiKey: keys.activatepro },
		{ name: 'emailapi', apiKey: keys.emailapi },
	]);
	onShutdown(() => closeSandboxes(sandboxes));
	const activatepro = sandboxes.activatepro.sandbox;
	const emailapi = sandboxes.emailapi.sandbox;
	const readOnlyToken = emailapi.addToken(`pit-ro-${randomBytes(10).toString('hex')}`, { scopes: ['users.readonly'] });
	const token = await oauthToken(emailapi);
	const secrets = [keys.activatepro, keys.emailapi, readOnlyToken, CLIENT.secret, token.access_token, token.refresh_token];

	try {
		const emailData = (t) => ({ token: t, locationId: emailapi.locationId, companyId: emailapi.companyId, baseUrl: emailapi.url, apiVersion: DOCUMENTED_VERSION });
		const credentials = [
			{ ...CRED.activatePro, data: { apiKey: keys.activatepro, baseUrl: activatepro.url } },
			{ ...CRED.emailApi, data: emailData(keys.emailapi) },
			{ ...CRED.readOnly, data: emailData(readOnlyToken) },
			{
				...CRED.oauth,
				data: {
					grantType: 'authorizationCode',
					authUrl: `${emailapi.url}/oauth/chooselocation`,
					accessTokenUrl: `${emailapi.url}/oauth/token`,
					clientId: CLIENT.id,
					clientSecret: CLIENT.secret,
					scope: ALL_SCOPES.join(' '),
					authQueryParameters: '',
					authentication: 'body',
					locationId: '',
					companyId: '',
					baseUrl: emailapi.url,
					apiVersion: DOCUMENTED_VERSION,
					oauthTokenData: token,
				},
			},
		];
		const workflowFiles = SCENARIOS.map((s) => {
			const file = path.join(tmp, `${s.workflow.id}.json`);
			fs.writeFileSync(file, JSON.stringify(s.workflow, null, 2));
			return file;
		});
		const { cli, redact, leaks } = await importedCli({ runtime, userFolder, tmp, secrets, credentials, workflowFiles, say, verbose, logLevel: 'debug' });

		for (const scenario of SCENARIOS) {
			activatepro.reset();
			emailapi.reset(); // keeps its tokens and OAuth client
			scenario.before?.({ activatepro, emailapi }, { oauthToken: token });
			const executed = await cli.execute(scenario.workflow.id);
			const run = executed.execution;
			checks.group = `n8n ${runtime.n8nVersion}: ${scenario.name}`;
			const { problem } = executed;
			const finished = run?.status === 'success' && !run.data.resultData.error;
			checks.check(finished, 'the workflow ran to the end (the node did not stop it)', `${redact(problem)}\n${logTail(executed.lines, redact, 12)}`);
			if (finished) scenario.check(run, { activatepro, emailapi }, logOf(executed.lines, `${executed.stdout}\n${executed.stderr}`));
			say(`  ${scenario.name}`);
			checks.print();
		}
		checks.group = `n8n ${runtime.n8nVersion}: secrets`;
		const { places, fileCount } = leaks();
		checks.check(places.length === 0, `no key, token or client secret in n8n's output or the ${fileCount} files it wrote`, `found in ${places.join(', ')}`);
		say('  secrets');
		checks.print();
		say(`  (${seconds(Date.now() - started)})`);
	} finally {
		await closeSandboxes(sandboxes);
	}
}

async function main(suite) {
	checks = suite;
	const args = parseFlags('usage: node test/versions/versions.e2e.mjs [--n8n 2.41.0,1.123.81] [--verbose] [--keep]', {
		n8n: { type: 'string', default: N8N_VERSIONS.join(',') },
	});
	const versions = args.n8n.split(',').map((v) => resolveN8nVersion(v.trim())).filter(Boolean);
	say(`versions: the same behaviour on n8n ${versions.join(' and ')}`);
	for (const version of versions) await runVersion(version, args);
}

runSuite('versions', main);
