#!/usr/bin/env node
// npm run test:e2e (and test:lts): the demo's story, the dashboard, the agent tools and the screenshots in a real n8n.
// End-to-end, in a real n8n: the demo's story (scripts/lib/story.mjs) played through the production webhooks
// of the example flows, with the sandboxes' state asserted after every step; the status dashboard; a badly
// signed delivery (Ed25519 with both keys of a rotation, forged, tampered, in the wrong header); the agent tools over MCP (test/e2e/agent-tools.mjs); the secrecy of the keys; the editor, driven by a headless Chromium, showing each example
// flow (screenshots saved to docs/screenshots/<example>.png, cropped to the flow) and the settings of the nodes and the
// credential dialogs a builder fills in (docs/screenshots/node-*.png, credential-*.png); last, a deletion whose
// archive cannot be written.
//   node test/e2e/flows.e2e.mjs [--no-screenshots] [--screenshot-dir DIR] [--verbose] [--keep]
// Needs the package built (npm run build). Ports are free ones, so a running `npm start` does not get in the way.
// Ends with "N passed, M failed"; exit 1 on any failure.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import path from 'node:path';

import { ARCHIVE_TABLE, archiveRows } from '../../scripts/lib/archive.mjs';
import { canvasNodeNames, screenshotPage, screenshotSettings, screenshotWorkflows } from '../../scripts/lib/editor.mjs';
import { findSecrets, ROOT } from '../../scripts/lib/n8n.mjs';
import { Failure, seconds, sleep } from '../../scripts/lib/proc.mjs';
import { choosePorts, REENGAGED_FIELD, startStack } from '../../scripts/lib/stack.mjs';
import { playStep, STEPS, USERS, userState } from '../../scripts/lib/story.mjs';
import { parseFlags, plural, runSuite } from '../../scripts/lib/suite.mjs';
import { agentTools, TOOL_ERRORS_ON_PURPOSE } from './agent-tools.mjs';

const TOTAL_TIMEOUT_MS = 20 * 60_000;
const SCREENSHOT_DIR = path.join(ROOT, 'docs', 'screenshots');
/** Node names the editor must show on the signup canvas (proof that n8n renders the package's nodes). */
const SIGNUP_CANVAS_MUST_SHOW = ['Rankr signup', 'Send welcome email'];

/** n8n's words for a data table that is gone (2.41, then 1.123). */
const TABLE_MISSING = /^(Data table with ID '[^']+' could not be found|Could not find the data table: ')/;

const say = (text = '') => console.log(text);
const USAGE = 'usage: node test/e2e/flows.e2e.mjs [--no-screenshots] [--screenshot-dir DIR] [--verbose] [--keep]';
let checks;

async function main(suite) {
	checks = suite;
	const args = parseFlags(USAGE, {
		'no-screenshots': { type: 'boolean', default: false },
		'screenshot-dir': { type: 'string', default: SCREENSHOT_DIR },
	});
	const started = Date.now();
	say('e2e: the example flows in a real n8n');
	const stack = await startStack({ say, verbose: args.verbose, ports: await choosePorts({ fixed: false }) });
	say(`  ready in ${seconds(Date.now() - started)}`);

	await story(stack);
	await dashboard(stack);
	await badSignature(stack);
	await agentTools(stack, checks);
	await allExecutions(stack);
	if (!args['no-screenshots']) {
		try {
			await editor(stack, path.resolve(args['screenshot-dir']), args.verbose);
		} catch (error) {
			checks.check(false, 'the editor could be driven', error instanceof Failure ? error.message : error.stack);
			checks.print();
		}
	}
	await fullSnapshot(stack);
	// Last: it removes the archive table and leaves a failed execution on purpose.
	await archiveFailure(stack);

	await stack.stop(); // n8n flushes its database before the files are searched
	checks.section('n8n\'s log');
	// archiveFailure's and the failing tool calls of agentTools, on purpose
	const caused = (message) => TABLE_MISSING.test(message) || TOOL_ERRORS_ON_PURPOSE.test(message);
	const errors = stack.server.lines().filter((line) => line.level === 'error' && !caused(line.message));
	checks.check(errors.length === 0, 'n8n logged no error (but the archive failure and the failing tool calls this test caused)', errors.map((e) => stack.redact(e.message.split('\n')[0])).join('\n'));
	checks.print();
	checks.section('secrets');
	const { places, fileCount } = findSecrets(stack.secrets, { outputs: stack.outputs(), userFolder: stack.userFolder, extraFiles: [path.join(stack.tmp, 'n8n.log')] });
	checks.check(places.length === 0, `no API key or token in n8n's output, its log or the ${fileCount} files it wrote`, `found in ${places.join(', ')}`);
	checks.print();
}

// ---------- the story ----------

async function story(stack) {
	const earlier = {};
	const results = {};
	const count = (list, predicate) => list.filter(predicate).length;
	for (const step of STEPS) {
		checks.section(`${step.key}: ${step.title}`);
		const result = await playStep(stack, step, earlier);
		results[step.key] = result;
		const state = userState(stack, step.user);
		const [execution] = result.executions;
		const c = (ok, label, detail) => checks.check(ok, label, detail);
		c(result.answer.status === 200 && result.delivery.attempts.length === 1, `Rankr's delivery was acknowledged at once (${result.answer.status})`, `attempts: ${JSON.stringify(result.delivery.attempts)}`);
		if (step.key === 'redelivery') {
			c(/"ignored":"redelivery/.test(result.answer.body) && result.executions.length === 0, 'the trigger recognised the redelivery (same webhookId) and started no execution', `answer ${result.answer.body}; executions ${stack.redact(JSON.stringify(result.executions))}`);
		} else {
			c(result.executions.length === 1 && execution.status === 'success', `n8n ran "${result.flow.workflow.name}" once, to success`, stack.redact(JSON.stringify(result.executions)));
			// n8n itself answers, once it holds the run, with what the trigger said to answer
			c(result.answer.body === JSON.stringify({ received: true, webhookId: result.event.webhookId }), 'the answer was {"received":true,"webhookId":…}', result.answer.body);
		}
		const welcome = count(state.emails, (e) => e.workflowName === 'Welcome');
		const reengagement = count(state.emails, (e) => e.workflowName === 'Re-engagement');
		const liveUsers = count(state.emailApiUsers, (u) => !u.deleted);
		const { profile, emailApiUser, contact } = state;
		switch (step.key) {
			case 'signup':
			case 'secondSignup':
				c(profile?.email === step.user.email && profile.firstName === step.user.firstName, 'ActivatePro holds the profile', `profile: ${JSON.stringify(profile)}`);
				c(liveUsers === 1 && emailApiUser.firstName === step.user.firstName && emailApiUser.lastName === step.user.lastName, 'the Email API holds exactly one user, with the name', `users: ${JSON.stringify(state.emailApiUsers.map((u) => u.name))}`);
				c(
					emailApiUser && profile?.emailApiUserId === emailApiUser.id && contact && profile.emailApiContactId === contact.id,
					'the ActivatePro profile links the Email API user and contact (emailApiUserId, emailApiContactId)',
					`profile has ${profile?.emailApiUserId}/${profile?.emailApiContactId}, the Email API ${emailApiUser?.id}/${contact?.id}`,
				);
				c(welcome === 1 && state.emails.length === 1, 'exactly one email: the welcome', `emails: ${state.emails.map((e) => e.workflowName).join(', ') || 'none'}`);
				break;
			case 'rankDrop':
				c(profile?.rank === 15 && profile.previousRank === 8 && profile.reengagementStartedAt, 'ActivatePro has rank 15, previousRank 8 and the re-engagement start', `profile: ${JSON.stringify(profile)}`);
				c(state.enrolments.some((e) => e.workflowName === 'Re-engagement'), 'the contact is enrolled in the Re-engagement workflow', `enrolments: ${state.enrolments.map((e) => e.workflowName).join(', ')}`);
				c(reengagement === 1, 'exactly one re-engagement email', `${reengagement} sent`);
				c(contact?.tags?.includes('re-engaged'), 'the Email API contact is tagged re-engaged (Contact → Add Tags)', `tags: ${JSON.stringify(contact?.tags)}`);
				{
					const field = [...(stack.emailapi.customFields.get(stack.emailapi.locationId) ?? [])].find((f) => f.fieldKey === REENGAGED_FIELD.fieldKey);
					const value = contact?.customFields?.find((v) => v.id === field?.id)?.value;
					c(field && /^\d{4}-\d{2}-\d{2}$/.test(String(value)), `and its custom field "${REENGAGED_FIELD.name}" holds the day (${value})`, `customFields: ${JSON.stringify(contact?.customFields)}`);
				}
				break;
			case 'inactive':
				c(profile?.status === 'inactive' && profile.inactiveDays === 30, 'ActivatePro has status inactive, inactiveDays 30', `profile: ${JSON.stringify(profile)}`);
				c(reengagement === 1, 'a second enrolment while still enrolled sends no second re-engagement email', `${reengagement} sent`);
				break;
			case 'redelivery': {
				c(result.event.webhookId === results.signup.event.webhookId, 'the redelivery repeats the signup webhookId', '');
				c(liveUsers === 1 && state.emailApiUsers.length === 1, 'no second Email API user', `${state.emailApiUsers.length} users with this email`);
				c(welcome === 1, 'no second welcome email', `${welcome} welcome emails`);
				c(profile?.lastRankrEvent === 'UserInactive', 'the ActivatePro profile was not rewritten by the redelivery', `lastRankrEvent ${profile?.lastRankrEvent}`);
				break;
			}
			case 'deletion': {
				c(!profile, 'ActivatePro no longer holds the profile', `profile: ${JSON.stringify(profile)}`);
				c(liveUsers === 0 && state.emailApiUsers.length === 1 && state.emailApiUsers[0].deleted, 'the Email API user is deleted', `users: ${JSON.stringify(state.emailApiUsers.map((u) => ({ id: u.id, deleted: u.deleted })))}`);
				c(state.enrolments.length === 0, 'the contact is in no workflow any more (no further emails)', `enrolments: ${state.enrolments.map((e) => e.workflowName).join(', ')}`);
				c(state.emails.length === 2, 'no email was sent for the deletion', `emails: ${state.emails.map((e) => e.workflowName).join(', ')}`);
				await deletionRecord(stack, step, result, state, c);
				break;
			}
			case 'deletionAgain': {
				const rows = (await archiveRows(stack.rest, stack.archive)).filter((r) => r.userId === step.user.id);
				const first = results.deletion.record;
				c(rows.length === 1, `still one row for her in "${ARCHIVE_TABLE}" (updated, not duplicated)`, JSON.stringify(rows));
				c(
					first && rows[0] && rows[0].webhookId === results.deletion.event.webhookId && rows[0].held === first.held && rows[0].removed === first.removed && rows[0].createdAt === first.createdAt,
					'the row still tells the first deletion: its event, what the systems held, what was removed',
					`first: ${JSON.stringify(first)}\nnow: ${JSON.stringify(rows[0])}`,
				);
				c(!profile && liveUsers === 0 && state.emails.length === 2, 'nothing came back and no email was sent', JSON.stringify({ profile, liveUsers, emails: state.emails.length }));
				break;
			}
			default:
				throw new Error(`no checks for step ${step.key}`);
		}
		checks.print();
	}
}

// ---------- the dashboard ----------

async function dashboard(stack) {
	checks.section('status dashboard');
	const wrongLogin = `Basic ${Buffer.from(`${stack.dashboard.login.user}:not-the-password`).toString('base64')}`;
	const page = async (user, authorization) => {
		const url = stack.dashboard.url(user.email);
		const response = await fetch(url, { headers: authorization ? { authorization } : {}, signal: AbortSignal.timeout(30_000) });
		return { url, status: response.status, type: response.headers.get('content-type') ?? '', challenge: response.headers.get('www-authenticate') ?? '', html: await response.text() };
	};
	const lookups = () => stack.activatepro.requests().length + stack.emailapi.requests().length;
	const executions = async () => (await stack.rest.executions(stack.flows.find((f) => f.name === 'status-dashboard')?.workflow.id ?? '')).length;

	// Without the login, and with a wrong one: for a known and an unknown email alike, the same status, a
	// challenge the browser answers with its login prompt, nothing about anyone, no look-up, no execution.
	const stranger = { email: 'nobody.here@example.com' };
	const lookupsBefore = lookups();
	const executionsBefore = await executions();
	const refused = [];
	for (const [how, authorization] of [['without a login', undefined], ['with a wrong password', wrongLogin]]) {
		for (const user of [USERS.grace, stranger]) refused.push({ how, user, ...(await page(user, authorization)) });
	}
	for (const how of ['without a login', 'with a wrong password']) {
		const answers = refused.filter((r) => r.how === how);
		// n8n 2.x answers a wrong password with 401, n8n 1.x with 403: either refuses, the same for every email.
		const status = answers[0].status;
		checks.check(
			(status === 401 || status === 403) && answers.every((r) => r.status === status),
			`${how}: ${status} for a known and an unknown email alike`,
			answers.map((r) => `${r.user.email}: ${r.status}`).join(', '),
		);
	}
	checks.check(refused.every((r) => /^Basic /.test(r.challenge)), 'each refusal asks for Basic credentials (the browser shows its login prompt)', refused.map((r) => r.challenge || '(none)').join(', '));
	const revealing = refused.filter((r) => r.html.includes(r.user.email) || r.html.includes(USERS.grace.id) || /ActivatePro|Email API|rank/i.test(r.html));
	checks.check(revealing.length === 0, 'no refusal names the user or says whether the email is known', revealing.map((r) => `${r.how}, ${r.user.email}: ${r.html.slice(0, 120)}`).join('\n'));
	const sameBodies = new Set(refused.filter((r) => r.how === 'without a login').map((r) => r.html)).size === 1 && new Set(refused.filter((r) => r.how === 'with a wrong password').map((r) => r.html)).size === 1;
	checks.check(sameBodies, 'the known and the unknown email get byte-identical refusals', refused.map((r) => `${r.user.email}: ${r.html}`).join(' | '));
	await sleep(1000); // an execution, had one started, would be listed by now
	checks.check(lookups() === lookupsBefore, 'a refused request looks nothing up (so its timing cannot tell a customer from a stranger)', `${lookups() - lookupsBefore} requests reached ActivatePro or the Email API`);
	checks.check((await executions()) === executionsBefore, 'a refused request starts no execution', `${(await executions()) - executionsBefore} new executions`);

	// With the login: the page.
	const grace = await page(USERS.grace, stack.dashboard.authorization);
	const graceState = userState(stack, USERS.grace);
	checks.check(grace.status === 200 && grace.type.startsWith('text/html'), `with the login, GET ${grace.url} answers 200 text/html`, `${grace.status} ${grace.type}`);
	checks.check(grace.html.includes(USERS.grace.email), 'the page names the user\'s email', grace.html.slice(0, 300));
	checks.check(
		graceState.emailApiUser && grace.html.includes(graceState.emailApiUser.id) && grace.html.includes(USERS.grace.id),
		'it shows her ActivatePro user id and her Email API user id',
		grace.html.slice(0, 600),
	);
	const tagged = graceState.contact?.tags ?? [];
	checks.check(
		tagged.length > 0 && grace.html.includes('Contact tags') && tagged.every((t) => grace.html.includes(t)) && (!tagged.includes('re-engaged') || grace.html.includes(REENGAGED_FIELD.name)),
		`it shows her Email API contact's tags (${tagged.join(', ')}) and custom fields by name`,
		grace.html.replace(/<style>[\s\S]*?<\/style>/, '').slice(0, 1200),
	);
	const unknown = await page(stranger, stack.dashboard.authorization);
	checks.check(unknown.status === 200 && unknown.html.includes(stranger.email) && /not found/.test(unknown.html), 'with the login, an unknown email gets the page saying "not found"', `${unknown.status} ${unknown.html.slice(0, 300)}`);
	const ada = await page(USERS.ada, stack.dashboard.authorization);
	const adaRow = (await archiveRows(stack.rest, stack.archive)).find((r) => r.userId === USERS.ada.id);
	checks.check(
		ada.status === 200 && ada.html.includes(USERS.ada.email) && /Deleted on/.test(ada.html) && Boolean(adaRow) && ada.html.includes(adaRow.webhookId) && ada.html.includes('What was removed') && ada.html.includes(adaRow.removed) && /receipt only/.test(ada.html),
		'for the deleted user it tells the story: deleted on, by which Rankr event, what was removed, archived (receipt only)',
		`${ada.status} ${ada.html.replace(/<style>[\s\S]*?<\/style>/, '').slice(0, 900)}`,
	);
	checks.print();
}

// ---------- a forged delivery ----------

/**
 * The deletion record of the story's deletion: one row, written after the deactivation and before anything was
 * removed, a receipt (the email only as its hash), saying what each system held and what was removed.
 */
async function deletionRecord(stack, step, result, state, c) {
	const rows = (await archiveRows(stack.rest, stack.archive)).filter((r) => r.userId === step.user.id);
	const row = rows[0];
	result.record = row;
	c(rows.length === 1, `the data table "${ARCHIVE_TABLE}" holds one row for her`, JSON.stringify(rows));
	if (!row) return;
	const hash = createHash('sha256').update(step.user.email.toLowerCase()).digest('hex');
	c(row.webhookId === result.event.webhookId && row.deletedAt === result.event.deletedAt && row.status === 'removed' && row.removedAt, 'it names the Rankr event and its date, and says the removal finished', JSON.stringify(row));
	c(row.emailHash === hash && !JSON.stringify(rows).includes(step.user.email) && row.snapshot === '', 'a receipt by default: the email only as its SHA-256 hash, no snapshot', JSON.stringify(row));
	const emailApiUser = state.emailApiUsers[0];
	c(
		row.held.includes(`ActivatePro profile ${step.user.id}`) && emailApiUser && row.held.includes(emailApiUser.id) && /Email API contact \S+/.test(row.held),
		'it says what each system held (the ActivatePro profile, the Email API user with its role, the contact)',
		row.held,
	);
	c(/ActivatePro profile/.test(row.removed) && /Email API user/.test(row.removed) && /Welcome and Re-engagement/.test(row.removed) && row.workflows === 2, 'and what was removed', `${row.removed}; workflows ${row.workflows}`);
	// Order: deactivated, then archived, then the first removal.
	const since = Date.parse(result.delivery.attempts[0]?.at ?? '') || 0;
	const requests = [...stack.activatepro.requests(), ...stack.emailapi.requests()].filter((q) => q.at >= since - 1000);
	const deactivation = stack.activatepro.requests('PUT /users').find((q) => q.at >= since - 1000 && /"deactivated"/.test(q.rawBody));
	const removals = requests.filter((q) => q.method === 'DELETE').map((q) => q.at);
	const archivedAt = Date.parse(row.createdAt);
	c(Boolean(deactivation) && deactivation.at <= archivedAt, 'ActivatePro marked her "deactivated" before the archive row was written', `deactivation at ${deactivation?.at}, row written ${row.createdAt}`);
	c(removals.length >= 3 && archivedAt <= Math.min(...removals), 'the archive row existed before the first DELETE reached ActivatePro or the Email API', `row written ${row.createdAt} (${archivedAt}); DELETEs at ${removals.join(', ')}`);
}

/** "Archive settings" → keepFullSnapshot on: the row also keeps what each system held, as read before removal. */
async function fullSnapshot(stack) {
	checks.section('the deletion record with the full snapshot switched on');
	const flow = stack.flows.find((f) => f.name === 'deletion');
	const setSnapshot = async (on) => {
		const workflow = await stack.rest.workflow(flow.workflow.id);
		workflow.nodes.find((n) => n.name === 'Archive settings').parameters.assignments.assignments.find((a) => a.name === 'keepFullSnapshot').value = on;
		await stack.rest.request('PATCH', `/workflows/${encodeURIComponent(flow.workflow.id)}`, workflow);
		await stack.rest.activate(flow.workflow.id);
	};
	const user = { id: 'rk_linus_03', email: 'linus.torvalds@example.com', firstName: 'Linus', lastName: 'Torvalds', role: 'user', rank: 5 };
	const earlier = {};
	await setSnapshot(true);
	try {
		await playStep(stack, { key: 'linusSignup', title: 'Linus signs up', flow: 'signup', user, event: (rankr) => rankr.event('UserCreate', user) }, earlier);
		const before = userState(stack, user);
		const deletion = await playStep(stack, { key: 'linusDeletion', title: 'Linus deletes his account', flow: 'deletion', user, event: (rankr) => rankr.event('UserDelete', user) }, earlier);
		const row = (await archiveRows(stack.rest, stack.archive)).find((r) => r.userId === user.id);
		let snapshot;
		try {
			snapshot = JSON.parse(row?.snapshot || 'null');
		} catch {
			snapshot = undefined;
		}
		checks.check(deletion.executions[0]?.status === 'success' && row?.status === 'removed', 'the deletion ran to the end', stack.redact(JSON.stringify(deletion.executions)));
		checks.check(
			snapshot?.activatePro?.id === user.id && snapshot.activatePro.status === 'active' && snapshot.activatePro.firstName === 'Linus' && snapshot.emailApiUser?.id === before.emailApiUser?.id && snapshot.emailApiUser.role === 'user',
			'the snapshot holds the ActivatePro profile with its attributes (as before the deactivation) and the Email API user with its role',
			row?.snapshot ?? 'no row',
		);
		checks.check(snapshot?.emailApiContact?.id === before.contact?.id && snapshot.emailApiContact.tags.join(',') === 'rankr,signup', 'and the contact with its tags', JSON.stringify(snapshot?.emailApiContact));
	} finally {
		await setSnapshot(false);
	}
	checks.print();
}

/**
 * With the archive gone, a deletion stops at the archive step: nothing is removed anywhere (only the
 * deactivation mark is set), and the re-engagement flow then leaves the deactivated user alone.
 */
async function archiveFailure(stack) {
	checks.section('the archive cannot be written');
	const user = USERS.grace;
	const before = userState(stack, user);
	const seen = { activatepro: stack.activatepro.requests().length, emailapi: stack.emailapi.requests().length };
	await stack.rest.request('DELETE', `/projects/${encodeURIComponent(stack.archive.projectId)}/data-tables/${encodeURIComponent(stack.archive.id)}`);
	const earlier = {};
	const deletion = await playStep(stack, { key: 'graceDeletion', title: 'Grace deletes her account (the archive table is gone)', flow: 'deletion', user, event: (rankr) => rankr.event('UserDelete', user) }, earlier);
	const [run] = deletion.executions;
	checks.check(run?.status === 'error' && /Archive/.test(run.problem) && TABLE_MISSING.test(run.problem.replace(/^node "[^"]+": /, '')), 'the deletion run fails at the archive step, saying the table is missing', stack.redact(JSON.stringify(deletion.executions)));
	const after = userState(stack, user);
	const removals = [...stack.activatepro.requests().slice(seen.activatepro), ...stack.emailapi.requests().slice(seen.emailapi)].filter((q) => q.method === 'DELETE');
	checks.check(removals.length === 0, 'no DELETE reached ActivatePro or the Email API', removals.map((q) => `${q.method} ${q.path}`).join(', '));
	checks.check(
		after.profile?.email === user.email && after.emailApiUser?.id === before.emailApiUser?.id && after.contact?.id === before.contact?.id && after.enrolments.length === before.enrolments.length,
		'her ActivatePro profile, Email API user, contact and enrolments are all still there',
		JSON.stringify({ profile: Boolean(after.profile), emailApiUser: after.emailApiUser?.id, contact: after.contact?.id, enrolments: after.enrolments.map((e) => e.workflowName) }),
	);
	checks.check(after.profile?.status === 'deactivated', 'the only change: ActivatePro has her marked "deactivated"', `status ${after.profile?.status}`);
	const inactive = await playStep(stack, { key: 'graceInactive', title: 'Grace goes inactive', flow: 'reengagement', user, event: (rankr) => rankr.event('UserInactive', user, { inactiveDays: 30 }) }, earlier);
	const state = userState(stack, user);
	checks.check(
		inactive.executions[0]?.status === 'success' && inactive.executions[0].nodes['Not being deleted'] === 0 && !state.enrolments.some((e) => e.workflowName === 'Re-engagement') && state.emails.length === before.emails.length,
		'the re-engagement flow leaves a deactivated user alone: no enrolment, no email',
		stack.redact(JSON.stringify({ executions: inactive.executions, enrolments: state.enrolments.map((e) => e.workflowName), emails: state.emails.length })),
	);
	checks.print();
}

async function badSignature(stack) {
	checks.section('signatures: Ed25519 with either key of a rotation; forged, tampered, misplaced, missing');
	const signup = stack.flows.find((f) => f.name === 'signup');
	const executionIds = async () => new Set((await stack.rest.executions(signup.workflow.id)).map((e) => e.id));
	const post = async (raw, headers) => {
		const response = await fetch(stack.url('signup'), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw, signal: AbortSignal.timeout(10_000) });
		return { status: response.status, body: await response.text() };
	};

	// The credential holds both of the sandbox's Ed25519 public keys: a delivery signed with either runs.
	for (const [keyIndex, user] of [
		[0, { id: 'rk_keyone_41', email: 'key.one@example.com', firstName: 'Kim', lastName: 'First' }],
		[1, { id: 'rk_keytwo_42', email: 'key.two@example.com', firstName: 'Kai', lastName: 'Second' }],
	]) {
		const before = await executionIds();
		const raw = JSON.stringify(stack.rankr.event('UserCreate', user));
		const answer = await post(raw, stack.rankr.sign(raw, 'ed25519', { keyIndex }));
		const finished = answer.status === 200 ? await stack.rest.finishedAfter(signup.workflow.id, before, { timeoutMs: 60_000 }) : undefined;
		checks.check(
			answer.status === 200 && finished?.length === 1 && finished[0].status === 'success' && userState(stack, user).profile?.email === user.email,
			`signed with the ${keyIndex ? 'second' : 'first'} Ed25519 key (x-ghl-signature): 200, one signup run to success`,
			`${answer.status} ${answer.body}; executions ${stack.redact(JSON.stringify(finished?.map((e) => ({ id: e.id, status: e.status })) ?? null))}`,
		);
	}

	const before = (await stack.rest.executions(signup.workflow.id)).length;
	const mallory = { id: 'rk_mallory_99', email: 'mallory@example.com', firstName: 'Mallory', lastName: 'Forger' };
	const event = stack.rankr.event('UserCreate', mallory);
	const body = JSON.stringify(event);
	const genuine = stack.rankr.sign(body)['x-ghl-signature'];
	const refusals = {
		// A key pair the credential does not know.
		forged: await post(body, { 'x-ghl-signature': sign(null, Buffer.from(body), generateKeyPairSync('ed25519').privateKey).toString('base64') }),
		// A real signature, but over other bytes: what a tampered body looks like.
		tampered: await post(JSON.stringify({ ...event, role: 'admin' }), { 'x-ghl-signature': genuine }),
		// The right signature in the retired RSA header.
		'in the wrong header (x-wh-signature)': await post(body, { 'x-wh-signature': genuine }),
		unsigned: await post(body, {}),
	};
	for (const [how, answer] of Object.entries(refusals)) {
		checks.check(answer.status === 401 && answer.body.includes('invalid signature'), `${how}: 401 "invalid signature"`, `${answer.status} ${answer.body}`);
	}
	const naming = Object.entries(refusals).filter(([, answer]) => /x-(ghl|wh|rankr)-signature|header/i.test(answer.body));
	checks.check(naming.length === 0, 'no refusal names the header it expected or missed (all four answers are the same)', naming.map(([how, a]) => `${how}: ${a.body}`).join('\n'));
	await sleep(1500); // an execution, had one started, would be listed by now
	const after = (await stack.rest.executions(signup.workflow.id)).length;
	checks.check(after === before, 'none started an execution', `${after - before} new executions`);
	const state = userState(stack, mallory);
	checks.check(!state.profile && state.emailApiUsers.length === 0 && state.emails.length === 0, 'nothing reached ActivatePro or the Email API', JSON.stringify(state));
	const lines = stack.server.lines().filter((l) => l.level === 'warn' && /^\[Rankr signup\] refused a delivery \(401\)/.test(l.message));
	checks.check(
		lines.length >= 4 && lines.every((l) => /^\[Rankr signup\] refused a delivery \(401\): missing or invalid signature/.test(l.message)),
		"n8n's log has a warning for each refusal: missing or invalid signature",
		lines.map((l) => l.message).join('\n') || 'none',
	);
	const namingLines = lines.filter((l) => /x-(ghl|wh|rankr)-signature|header/i.test(l.message));
	checks.check(namingLines.length === 0, 'and no warning names a header', namingLines.map((l) => l.message).join('\n'));
	checks.print();
}

/**
 * Nodes of the signup flow whose settings the docs show, and what each panel must show (the trigger's: its
 * Production URL, the one the docs say to copy into Rankr; `shows` gets it once n8n is up) and must not.
 */
const SETTINGS_SHOTS = [
	{ file: 'node-rankr-trigger', nodeName: 'Rankr signup', shows: ['Production URL', 'Events'], hides: ['/webhook-test/'], hidesWhat: 'the Test URL' },
	{ file: 'node-activatepro-user', nodeName: 'ActivatePro: create profile', shows: ['Operation', 'Create or Update'] },
	{ file: 'node-email-api', nodeName: 'Send welcome email', shows: ['Workflow', 'Welcome'] },
];

/** The pictured HighLevel OAuth2 credential (no example uses one): made up for the picture, never connected. */
const PICTURE_OAUTH2 = {
	name: 'HighLevel OAuth2 (Marketplace app)',
	type: 'rankrOAuth2Api',
	data: { clientId: 'your-marketplace-app-client-id', clientSecret: 'made-up-marketplace-app-client-secret' },
};

/**
 * The node settings and credential dialogs a builder fills in, from the editor, for the docs: each must open and
 * show its fields. The credential pictures show what the docs' tables list, the defaults, never the sandboxes'
 * URLs: the API-key credentials as a new credential of the type (unsaved: nothing secret, no credential test
 * reaching for the real API), the HighLevel OAuth2 one made for the picture with made-up values (its secret
 * masked); the Rankr webhook's is the sandbox's (public keys only).
 */
async function settingsShots(stack, outDir) {
	const signup = stack.examples.find((e) => e.name === 'signup').workflow;
	const credentialOf = (type) => signup.nodes.find((n) => n.credentials?.[type])?.credentials[type].id;
	const oauth = await stack.rest.request('POST', '/credentials', PICTURE_OAUTH2);
	const sandboxUrls = Object.values(stack.sandboxes).map((s) => s.sandbox.url);
	const credentials = [
		{ file: 'credential-activatepro-api', type: 'ActivatePro API', shows: ['API Key', 'https://api.crossengage.io'], hides: sandboxUrls, hidesWhat: "a sandbox's URL" },
		{ file: 'credential-email-api-key', type: 'Email API Key API', shows: ['Private Integration Token', 'Location ID', 'https://services.leadconnectorhq.com'], hides: sandboxUrls, hidesWhat: "a sandbox's URL" },
		{ file: 'credential-rankr-webhook', id: credentialOf('rankrWebhookApi'), shows: ['Ed25519'] },
		{
			file: 'credential-highlevel-oauth2',
			id: oauth.id,
			shows: [
				`${stack.editorUrl}/rest/oauth2-credential/callback`,
				'In HighLevel, use the URL above when prompted to enter an OAuth callback or redirect URL',
				'https://marketplace.gohighlevel.com/v2/oauth/chooselocation',
				'https://services.leadconnectorhq.com/oauth/token',
				PICTURE_OAUTH2.data.clientId,
			],
			hides: [PICTURE_OAUTH2.data.clientSecret, ...sandboxUrls],
			hidesWhat: "its client secret or a sandbox's URL",
		},
	];
	const nodes = SETTINGS_SHOTS.map((n) => ({ ...n, workflowId: signup.id, shows: n.file === 'node-rankr-trigger' ? [...n.shows, stack.url('signup')] : n.shows }));
	const { shots, outside } = await screenshotSettings({ editorUrl: stack.editorUrl, owner: stack.owner, outDir, nodes, credentials });
	for (const [i, wanted] of [...nodes, ...credentials].entries()) {
		const shot = shots[i];
		const missing = wanted.shows.filter((text) => !shot.text.includes(text));
		const shown = (wanted.hides ?? []).filter((text) => shot.text.includes(text));
		const what = wanted.nodeName ? `the settings of "${wanted.nodeName}"` : `the ${wanted.type ? 'new ' : ''}credential dialog ${wanted.file.replace('credential-', '')}`;
		checks.check(
			!shot.error && missing.length === 0 && shown.length === 0,
			`${what} show ${wanted.shows.map((t) => `"${t}"`).join(', ')}${wanted.hides ? `, not ${wanted.hidesWhat}` : ''} → ${path.relative(ROOT, shot.file)}`,
			shot.error ?? `missing: ${missing.join(', ') || 'none'}; shown though it must not be: ${shown.join(', ') || 'none'}; shown: ${shot.text.slice(0, 300)}`,
		);
	}
	checks.check(outside.length === 0, 'and the editor made no request outside loopback', `blocked: ${outside.join(', ')}`);
}

async function allExecutions(stack) {
	checks.section('n8n\'s execution list');
	const lists = await Promise.all(stack.flows.map(async (f) => ({ flow: f, executions: await stack.rest.executions(f.workflow.id) })));
	const all = lists.flatMap((l) => l.executions.map((e) => ({ ...e, flowName: l.flow.name })));
	const failed = all.filter((e) => e.status !== 'success');
	checks.check(all.length > 0 && failed.length === 0, `all ${plural(all.length, 'execution')} of the trigger flows succeeded`, failed.map((e) => `${e.flowName} #${e.id}: ${e.status}`).join(', '));
	checks.print();
}

// ---------- the editor ----------

async function editor(stack, outDir, verbose) {
	checks.section('the editor (headless Chromium)');
	const workflows = stack.examples.map(({ name, workflow }) => ({ name, workflow }));
	const log = verbose ? (text) => say(`  [editor] ${text}`) : undefined;
	const { shots, outside } = await screenshotWorkflows({ editorUrl: stack.editorUrl, owner: stack.owner, workflows, outDir, log });
	for (const shot of shots) {
		const { workflow } = workflows.find((w) => w.name === shot.name);
		const expected = canvasNodeNames(workflow);
		const missing = expected.filter((n) => !shot.canvasNodes.includes(n));
		checks.check(
			missing.length === 0,
			`${shot.name}: the canvas shows all ${expected.length} nodes → ${path.relative(ROOT, shot.file)}`,
			`${shot.error ? `${shot.error}; ` : ''}missing: ${missing.join(', ')}; shown: ${shot.canvasNodes.join(', ') || 'nothing'}`,
		);
	}
	const signup = shots.find((s) => s.name === 'signup');
	const absent = SIGNUP_CANVAS_MUST_SHOW.filter((n) => !signup?.canvasNodes.includes(n));
	checks.check(absent.length === 0, `the signup canvas shows ${SIGNUP_CANVAS_MUST_SHOW.map((n) => `"${n}"`).join(' and ')}`, `missing: ${absent.join(', ')}`);
	checks.check(outside.length === 0, 'the editor made no request outside loopback', `blocked: ${outside.join(', ')}`);
	// The dashboard itself, as a person sees it after typing the login into the browser's prompt.
	const { login } = stack.dashboard;
	const file = path.join(outDir, 'status-page.png');
	const shown = await screenshotPage({ url: stack.dashboard.url(USERS.grace.email), login: { username: login.user, password: login.password }, file });
	checks.check(
		shown.status === 200 && shown.text.includes(USERS.grace.email) && shown.text.includes(USERS.grace.id),
		`the browser, given the login, shows Grace's status page → ${path.relative(ROOT, file)}`,
		`${shown.status}: ${shown.text.slice(0, 200)}`,
	);
	await settingsShots(stack, outDir);
	const deletedFile = path.join(outDir, 'status-page-deleted.png');
	const deleted = await screenshotPage({ url: stack.dashboard.url(USERS.ada.email), login: { username: login.user, password: login.password }, file: deletedFile });
	checks.check(
		deleted.status === 200 && deleted.text.includes(USERS.ada.email) && /Deleted on/.test(deleted.text),
		`and Ada's, deleted: when, by which event, what was removed → ${path.relative(ROOT, deletedFile)}`,
		`${deleted.status}: ${deleted.text.slice(0, 200)}`,
	);
	checks.print();
}

runSuite('e2e', main, { timeoutMs: TOTAL_TIMEOUT_MS });
