#!/usr/bin/env node
// npm run test:n8n / npm run examples: the manual examples in a real n8n, headless, against the sandboxes.
// Runs this package's manual examples inside a real n8n, headless, against the local sandboxes:
//   examples/activatepro-upsert.json  (ActivatePro sandbox)  create or update 3 users, wait for processing
//   examples/emailapi-welcome.json    (Email API sandbox)    create 2 users and contacts, send the welcome email
//   examples/emailapi-tags.json       (Email API sandbox)    search contacts by tag, re-tag and date them; list users
//   node scripts/run-in-n8n.mjs            run them, show what the sandboxes hold
//   node scripts/run-in-n8n.mjs --check    (npm run test:n8n) the same run as a test: checks, exit 1 on any failure
// Options: --keep (leave the temporary n8n folder for inspection), --verbose (stream n8n's log), --help.
//
// It runs on the machine's Node (>= 20) and starts n8n with the Node 24 that scripts/install-n8n.sh brings.
// Steps: install n8n once (cached) -> a fresh N8N_USER_FOLDER with the built package installed as a community
// package -> the sandboxes, in this process, each with a key made for this run -> one `n8n import:credentials`
// (every credential the examples use) and one `n8n import:workflow --separate` -> `n8n execute --id <id>
// --rawOutput` per example -> checks on n8n's result, the sandboxes' state and the keys' secrecy.
// It builds nothing: run `npm run build` first. For the trigger flows in a running n8n, see scripts/demo.mjs.
import { randomBytes } from 'node:crypto';
import path from 'node:path';

import { builtPackage, exampleCredentialRefs, exampleWorkflow, importedCli, installN8n, logTail, nodeOutput, prepareUserFolder } from './lib/n8n.mjs';
import { Failure, onShutdown } from './lib/proc.mjs';
import { closeSandboxes, DOCUMENTED_VERSION, sandboxCredentials, startSandboxes } from './lib/sandboxes.mjs';
import { REENGAGED_FIELD } from './lib/stack.mjs';
import { parseFlags, plural, runSuite } from './lib/suite.mjs';

const USAGE = `usage: node scripts/run-in-n8n.mjs [--check] [--keep] [--verbose]
  --check    test mode: assert the runs succeeded, print a short report, exit 1 on any failure
  --keep     keep the temporary n8n user folder (printed) instead of deleting it
  --verbose  stream n8n's log while it runs`;

const NODE_TYPE_PREFIX = 'n8n-nodes-rankr.';

/** The examples this script runs: the sandbox each needs, what to check after, what to show. */
const EXAMPLES = [
	{ name: 'activatepro-upsert', sandbox: 'activatepro', check: checkActivateProUpsert, show: showActivatePro },
	{ name: 'emailapi-welcome', sandbox: 'emailapi', check: checkEmailApiWelcome, show: showEmailApi },
	// Runs after the welcome example, on the same sandbox: its 2 users are there to list.
	{ name: 'emailapi-tags', sandbox: 'emailapi', sampleUsers: false, prepare: seedTaggedContacts, check: checkEmailApiTags, show: showEmailApi },
];

/** The sample users an example sends: the "users" array of its raw-mode Set node. */
function sampleUsers({ workflow, file }) {
	const setNode = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.set' && node.parameters?.mode === 'raw');
	const users = setNode ? JSON.parse(setNode.parameters.jsonOutput).users : undefined;
	if (!Array.isArray(users) || users.length === 0) throw new Failure(`cannot find the sample users (a raw-mode Set node with "users") in ${file}`);
	return users;
}

function nodesOfType(workflow, type, operation) {
	return workflow.nodes.filter((node) => node.type === `${NODE_TYPE_PREFIX}${type}` && (!operation || node.parameters?.operation === operation));
}

async function main(checks) {
	const args = parseFlags(USAGE, { check: { type: 'boolean', default: false } });
	const say = checks.say;

	const pkg = builtPackage();
	const examples = EXAMPLES.map((spec) => {
		const example = exampleWorkflow(spec.name);
		return { ...spec, ...example, users: spec.sampleUsers === false ? [] : sampleUsers(example) };
	});
	const refs = exampleCredentialRefs(examples);
	const runtime = await installN8n();
	const { tmp, userFolder, installedAt } = prepareUserFolder(pkg);

	// Keys made for this run: if one shows up in n8n's output or files, it leaked from the credential.
	const keys = {
		activatepro: `ap-run-${randomBytes(12).toString('hex')}`,
		emailapi: `pit-run-${randomBytes(12).toString('hex')}`,
	};
	const sandboxes = await startSandboxes([...new Set(examples.map((e) => e.sandbox))].map((name) => ({ name, apiKey: keys[name] })));
	onShutdown(() => closeSandboxes(sandboxes));
	const secrets = Object.values(keys);

	try {
		say(`run-in-n8n: n8n ${runtime.n8nVersion} from ${runtime.dir}`);
		say(`  package  ${pkg.name}@${pkg.version} -> ${path.relative(tmp, installedAt)} (in ${tmp})`);
		for (const { definition, sandbox } of Object.values(sandboxes)) say(`  sandbox  ${definition.title} at ${sandbox.url}`);
		for (const e of examples) say(`  example  "${e.workflow.name}" (examples/${e.name}.json)${e.users.length ? `, ${plural(e.users.length, 'sample user')}` : ''}`);

		const credentials = sandboxCredentials(sandboxes, refs);
		const workflowFiles = examples.map((e) => e.file);
		const { cli, redact, leaks } = await importedCli({ runtime, userFolder, tmp, secrets, credentials, workflowFiles, say, verbose: args.verbose });

		const failedRuns = [];
		for (const example of examples) {
			const { sandbox } = sandboxes[example.sandbox];
			example.before = example.prepare?.(sandbox);
			const executed = await cli.execute(example.workflow.id);
			checks.group = example.name;
			const ranOk = checkExecution(checks, example, executed, redact);
			example.check(checks, { example, executed, sandbox, apiKey: keys[example.sandbox], redact });
			if (!ranOk) failedRuns.push({ example, executed });
		}
		checks.group = 'secrets';
		const { places, fileCount } = leaks();
		checks.check(places.length === 0, `no API key or token appears in n8n's output or the ${fileCount} files it wrote`, `found in ${places.join(', ')}`);

		for (const example of examples) {
			if (!args.check) example.show(say, sandboxes[example.sandbox].sandbox, redact);
			say(`\n  ${example.name}`);
			checks.print(example.name);
		}
		say('');
		checks.print('secrets');
		for (const { example, executed } of failedRuns) say(`\n  the end of n8n's log for ${example.name}:\n${logTail(executed.lines, redact)}`);
		if (args.keep) {
			say(`\n  kept ${tmp} (its credentials point at this run's sandboxes, now stopped); to open it in n8n:`);
			say(`    N8N_USER_FOLDER=${userFolder} ${runtime.node} ${runtime.n8n} start`);
		}
	} finally {
		await closeSandboxes(sandboxes);
	}
}

/** n8n reported a successful execution in which every node ran; returns whether it did. */
function checkExecution(checks, { workflow }, executed, redact) {
	const { execution } = executed;
	const ranOk = executed.code === 0 && execution?.status === 'success' && !execution.data.resultData.error;
	let why = executed.problem;
	if (/unrecognized node type/i.test(why)) why += '\nn8n did not load the package from .n8n/nodes';
	checks.check(ranOk, 'n8n ran the workflow to success', redact(why));
	const runData = execution?.data?.resultData?.runData ?? {};
	const notRun = workflow.nodes.map((node) => node.name).filter((name) => !runData[name]?.every((r) => r.executionStatus === 'success'));
	checks.check(execution && notRun.length === 0, `every node ran (${workflow.nodes.length})`, `did not run or failed: ${notRun.join(', ')}`);
	return ranOk;
}

// ---------- examples/activatepro-upsert.json ----------

function checkActivateProUpsert(checks, { example, executed, sandbox, apiKey, redact }) {
	const { workflow, users } = example;
	const [upsert] = nodesOfType(workflow, 'activateProUser', 'upsert');
	const upserted = nodeOutput(executed.execution, upsert?.name);
	const processed = upserted.filter((item) => item.status === 'processed');
	checks.check(
		processed.length === users.length,
		`"${upsert?.name}" waited for completion: ${processed.length}/${users.length} processed`,
		`its output: ${redact(JSON.stringify(upserted))}`,
	);

	const wrongUsers = users.filter((u) => {
		const held = sandbox.users.get(u.id);
		return !held || held.email !== u.email || held.firstName !== u.firstName;
	});
	checks.check(wrongUsers.length === 0, `ActivatePro holds the ${users.length} users with email and firstName`, `missing or different: ${wrongUsers.map((u) => u.id).join(', ')}`);

	checkEveryRequest(checks, sandbox, 'X-XNG-AuthToken and X-XNG-ApiVersion: 2', (h) => h['x-xng-authtoken'] === apiKey && h['x-xng-apiversion'] === '2');
}

/** Every request the sandbox saw carried the credential's headers (`carried(headers)`). */
function checkEveryRequest(checks, sandbox, what, carried) {
	const requests = sandbox.requests();
	const without = requests.filter((r) => !carried(r.headers));
	checks.check(
		requests.length > 0 && without.length === 0,
		`every request carried ${what} (${plural(requests.length, 'request')})`,
		requests.length ? `without them: ${without.map((r) => `${r.method} ${r.rawPath}`).join(', ')}` : 'the sandbox saw no request',
	);
}

/** What ActivatePro holds now, and the requests n8n made to get there. */
function showActivatePro(say, sandbox, redact) {
	const users = [...sandbox.users.values()];
	say(`\nActivatePro now holds ${plural(users.length, 'user')}:`);
	// id and email, the attributes, then what ActivatePro adds itself
	const own = ['xngId', 'createdAt'];
	const columns = [...new Set(['id', 'email', ...users.flatMap((u) => Object.keys(u)).filter((k) => !own.includes(k)), ...own])];
	table(say, columns, users);
	showRequests(say, sandbox, redact);
}

// ---------- examples/emailapi-welcome.json ----------

function checkEmailApiWelcome(checks, { example, sandbox, apiKey }) {
	const { users } = example;
	const created = [...sandbox.users.values()].filter((u) => !u.deleted);
	const byEmail = (email) => created.find((u) => u.email.toLowerCase() === email.toLowerCase());
	const missing = users.filter((u) => !byEmail(u.email));
	checks.check(
		created.length === users.length && missing.length === 0,
		`the Email API holds the ${users.length} users (${created.length} created)`,
		`missing: ${missing.map((u) => u.email).join(', ')}; created: ${created.map((u) => u.email).join(', ')}`,
	);

	// The name splitting the node promises: "Jean-Luc de la Tour" -> "Jean-Luc" + "de la Tour".
	const compound = users.find((u) => / de /.test(u.name));
	if (compound) {
		const held = byEmail(compound.email);
		const [first, ...rest] = compound.name.split(' ');
		const expected = { firstName: first, lastName: rest.join(' ') };
		checks.check(
			held?.firstName === expected.firstName && held?.lastName === expected.lastName,
			`"${compound.name}" is split into firstName "${expected.firstName}" / lastName "${expected.lastName}"`,
			`the Email API holds ${JSON.stringify({ firstName: held?.firstName, lastName: held?.lastName })}`,
		);
	}

	const welcome = sandbox.emailsSent.filter((e) => e.workflowName === 'Welcome');
	const unwelcomed = users.filter((u) => welcome.filter((e) => e.to.toLowerCase() === u.email.toLowerCase()).length !== 1);
	checks.check(
		welcome.length === users.length && unwelcomed.length === 0,
		`${plural(users.length, 'welcome email')} sent, one per user (${welcome.length} recorded)`,
		`not exactly one for: ${unwelcomed.map((u) => u.email).join(', ')}`,
	);

	checkEveryRequest(checks, sandbox, `the bearer token and Version: ${DOCUMENTED_VERSION}`, (h) => h.authorization === `Bearer ${apiKey}` && h.version === DOCUMENTED_VERSION);
}

// ---------- examples/emailapi-tags.json ----------

/**
 * 70 contacts in the location (every 7th tagged inactive, as the sandbox seeds them) and the "Last Re-engaged"
 * custom field the example sets; returns the inactive ones' ids.
 */
function seedTaggedContacts(sandbox) {
	sandbox.defineCustomFields({ fields: [REENGAGED_FIELD] });
	sandbox.seedContacts({ count: 70 });
	sandbox.clearLog();
	return [...sandbox.contacts.values()].filter((c) => c.tags.includes('inactive')).map((c) => c.id);
}

function checkEmailApiTags(checks, { example, sandbox }) {
	const inactive = example.before ?? [];
	const held = inactive.map((id) => sandbox.contacts.get(id));
	checks.check(
		inactive.length > 0 && held.every((c) => c && c.tags.includes('re-engaged') && !c.tags.includes('inactive')),
		`the ${inactive.length} contacts tagged inactive were found by Contact → Search and re-tagged: re-engaged added, inactive removed`,
		JSON.stringify(held.filter((c) => !c || !c.tags.includes('re-engaged') || c.tags.includes('inactive')).map((c) => c?.tags)),
	);
	const others = [...sandbox.contacts.values()].filter((c) => !inactive.includes(c.id) && c.tags.includes('re-engaged'));
	checks.check(others.length === 0, 'no other contact was tagged', `${others.length} others tagged`);
	const count = (method, pattern) => sandbox.requests().filter((r) => r.method === method && pattern.test(r.path)).length;
	const searches = count('POST', /^\/contacts\/search$/);
	const added = count('POST', /^\/contacts\/[^/]+\/tags$/);
	const removed = count('DELETE', /^\/contacts\/[^/]+\/tags$/);
	checks.check(searches === 1 && added === inactive.length && removed === inactive.length, `requests: 1 search, ${added} tag adds, ${removed} tag removals`, `${searches} searches`);
	const field = (sandbox.customFields.get(sandbox.locationId) ?? []).find((f) => f.fieldKey === REENGAGED_FIELD.fieldKey);
	const dated = held.filter((c) => /^\d{4}-\d{2}-\d{2}$/.test(String(c?.customFields?.find((v) => v.id === field?.id)?.value ?? '')));
	const fieldReads = count('GET', /\/customFields$/);
	checks.check(
		dated.length === inactive.length && count('PUT', /^\/contacts\/[^/]+$/) === inactive.length && fieldReads === 1,
		`Contact → Update set "${REENGAGED_FIELD.name}" (by its key) on each of them; the location's custom fields were read once`,
		`${dated.length} dated; ${fieldReads} reads of the fields`,
	);
	const listed = count('GET', /^\/users\/search$/);
	const deprecated = count('GET', /^\/users\/?$/);
	checks.check(listed === 1 && deprecated === 0, 'User → Get Many listed the users with GET /users/search, not the deprecated GET /users/', `${listed} searches, ${deprecated} GET /users/`);
}

function showEmailApi(say, sandbox, redact) {
	const users = [...sandbox.users.values()].map((u) => ({ id: u.id, email: u.email, firstName: u.firstName, lastName: u.lastName, role: u.roles?.role }));
	say(`\nThe Email API now holds ${plural(users.length, 'user')}:`);
	table(say, ['id', 'email', 'firstName', 'lastName', 'role'], users);
	const contacts = [...sandbox.contacts.values()];
	say(`${plural(contacts.length, 'contact')}:`);
	table(say, ['id', 'email', 'name', 'source'], contacts);
	say(`${plural(sandbox.emailsSent.length, 'email')} sent:`);
	table(say, ['workflowName', 'to', 'at'], sandbox.emailsSent);
	showRequests(say, sandbox, redact);
}

// ---------- output ----------

function table(say, columns, rows) {
	if (rows.length === 0) return;
	const cell = (value) => (value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));
	const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
	const line = (values) => `  ${values.map((v, i) => v.padEnd(widths[i])).join('  ')}`.trimEnd();
	say(line(columns));
	for (const row of rows) say(line(columns.map((c) => cell(row[c]))));
}

function showRequests(say, sandbox, redact) {
	const requests = sandbox.requests();
	say(`n8n sent ${plural(requests.length, 'request')} to the sandbox:`);
	for (const r of requests) say(`  ${r.method.padEnd(6)} ${redact(r.rawPath)} -> ${r.status ?? 'dropped'}`);
}

runSuite('run-in-n8n', main);
