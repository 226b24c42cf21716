// Harness: the user story the demo plays and the e2e suite asserts (events, executions, what the sandboxes hold).
// The user story the demo plays and the e2e test asserts, against the running stack (scripts/lib/stack.mjs):
// Rankr (the sandbox) signs and delivers each event to the webhook of the flow meant for it, n8n runs the
// flow, we wait for the execution to finish and read what ActivatePro and the Email API now hold.
import { ARCHIVE_TABLE, archiveRows } from './archive.mjs';
import { executionProblem, nodeOutput } from './n8n.mjs';
import { Failure, seconds } from './proc.mjs';

export const USERS = {
	ada: { id: 'rk_ada_01', email: 'ada.lovelace@example.com', firstName: 'Ada', lastName: 'Lovelace', phone: '+13235559998', role: 'user', rank: 8 },
	grace: { id: 'rk_grace_02', email: 'grace.hopper@example.com', firstName: 'Grace', lastName: 'Hopper', phone: '+13235550102', role: 'admin', rank: 3 },
};

const EXECUTION_TIMEOUT_MS = 60_000;

/**
 * The steps, in order. `event(rankr, earlier)` builds the event when the step plays (so its timestamp is
 * fresh); `earlier` holds the events of the steps before, by key. `flow` is the example the event goes to.
 */
export const STEPS = [
	{
		key: 'signup',
		title: 'Ada signs up on Rankr',
		flow: 'signup',
		user: USERS.ada,
		event: (rankr) => rankr.event('UserCreate', USERS.ada),
	},
	{
		key: 'rankDrop',
		title: 'Ada drops out of the top 10 (rank 8 → 15)',
		flow: 'reengagement',
		user: USERS.ada,
		event: (rankr) => rankr.event('UserRankUpdate', USERS.ada, { previousRank: 8, rank: 15 }),
	},
	{
		key: 'inactive',
		title: 'Ada has been inactive for 30 days',
		flow: 'reengagement',
		user: USERS.ada,
		event: (rankr) => rankr.event('UserInactive', USERS.ada, { inactiveDays: 30 }),
	},
	{
		key: 'redelivery',
		title: 'Rankr redelivers the signup event (same webhookId)',
		flow: 'signup',
		user: USERS.ada,
		event: (_rankr, earlier) => earlier.signup,
	},
	{
		key: 'deletion',
		title: 'Ada deletes her Rankr account',
		flow: 'deletion',
		user: USERS.ada,
		event: (rankr) => rankr.event('UserDelete', USERS.ada),
	},
	{
		key: 'deletionAgain',
		title: 'Rankr sends a second deletion for Ada (a new webhookId): the record stays as it was',
		flow: 'deletion',
		user: USERS.ada,
		event: (rankr) => rankr.event('UserDelete', USERS.ada),
	},
	{
		key: 'secondSignup',
		title: 'Grace signs up on Rankr (she stays: the dashboard shows her)',
		flow: 'signup',
		user: USERS.grace,
		event: (rankr) => rankr.event('UserCreate', USERS.grace),
	},
];

/**
 * Plays one step: delivers its event (signed, with Rankr's redelivery on non-2xx), then waits for the
 * executions it started to finish. Returns { step, event, url, delivery, answer, executions, ms }.
 * `executions` are summaries: { id, status, ms, problem, nodes: { [name]: items out } }.
 */
export async function playStep(stack, step, earlier) {
	const started = Date.now();
	const event = step.event(stack.rankr, earlier);
	earlier[step.key] = event;
	const flow = stack.flows.find((f) => f.name === step.flow);
	const url = stack.url(step.flow);
	const before = new Set((await stack.rest.executions(flow.workflow.id)).map((e) => e.id));

	const delivery = await stack.rankr.deliver(url, event);
	const last = delivery.attempts.at(-1);
	const answer = { status: last.status, body: last.body };
	// The trigger acknowledges a filtered event with {"received":true,"ignored":...} and starts nothing.
	const startsRun = delivery.delivered && !/"ignored"/.test(last.body);
	let executions = [];
	if (startsRun) {
		const finished = await stack.rest.finishedAfter(flow.workflow.id, before, { timeoutMs: EXECUTION_TIMEOUT_MS });
		if (!finished) throw new Failure(`step "${step.title}": n8n did not finish running "${flow.workflow.name}" within ${EXECUTION_TIMEOUT_MS / 1000} s`);
		executions = finished.map(summarise);
	}
	return { step, flow, event, url, delivery, answer, executions, ms: Date.now() - started };
}

/** { id, status, ms, problem, nodes: { [name]: items out } } of an execution. */
function summarise(execution) {
	const nodes = Object.keys(execution.data?.resultData?.runData ?? {}).map((name) => [name, nodeOutput(execution, name).length]);
	const ms = execution.stoppedAt && execution.startedAt ? Date.parse(execution.stoppedAt) - Date.parse(execution.startedAt) : undefined;
	return { id: execution.id, status: execution.status, ms, problem: executionProblem(execution), nodes: Object.fromEntries(nodes) };
}

/** What ActivatePro and the Email API hold about `user` now. */
export function userState(stack, user) {
	const email = user.email.toLowerCase();
	const em = stack.emailapi;
	const emailApiUsers = [...em.users.values()].filter((u) => u.email.toLowerCase() === email);
	const contact = [...em.contacts.values()].find((c) => c.emailLowerCase === email);
	const workflowName = (id) => em.workflows.get(id)?.name ?? id;
	return {
		profile: stack.activatepro.users.get(user.id),
		emailApiUsers,
		emailApiUser: emailApiUsers.find((u) => !u.deleted),
		contact,
		enrolments: contact ? em.enrolments.filter((e) => e.contactId === contact.id).map((e) => ({ ...e, workflowName: workflowName(e.workflowId) })) : [],
		emails: em.emailsSent.filter((e) => e.to.toLowerCase() === email),
	};
}

// ---------- for people ----------

const PROFILE_FIELDS = ['rank', 'previousRank', 'status', 'inactiveDays', 'lastRankrEvent'];

/** A few lines on what a step did and what every system holds afterwards. */
export function describeStep(result, state, index, total) {
	const { step, event, answer, executions } = result;
	const lines = [];
	const short = (id) => (id && id.length > 12 ? `${id.slice(0, 8)}…` : id);
	lines.push(`[${index}/${total}] ${step.title}`);
	lines.push(`  Rankr        ${event.type} ${event.webhookId} → /webhook/${result.url.split('/webhook/')[1]}: ${answer.status} ${answer.body.slice(0, 60)}`);
	if (executions.length === 0) lines.push('  n8n          no execution');
	for (const e of executions) {
		const names = Object.keys(e.nodes);
		const stopped = names.find((name) => e.nodes[name] === 0);
		let what = `${names.length} nodes ran`;
		if (stopped) what = `"${stopped}" passed 0 items${names.indexOf(stopped) === names.length - 1 ? ': nothing more to do' : ''}`;
		lines.push(`  n8n          "${result.flow.workflow.name}" #${e.id}: ${e.status} in ${seconds(e.ms ?? 0)}, ${what}${e.problem ? ` — ${e.problem}` : ''}`);
	}
	const { profile, emailApiUser, emailApiUsers, contact, enrolments, emails } = state;
	if (profile) {
		const attrs = PROFILE_FIELDS.filter((k) => profile[k] !== undefined).map((k) => `${k} ${profile[k]}`);
		const links = profile.emailApiUserId ? `, linked to Email API user ${short(profile.emailApiUserId)} / contact ${short(profile.emailApiContactId)}` : '';
		lines.push(`  ActivatePro  ${profile.id} ${profile.email}: ${attrs.join(', ')}${links}`);
	} else {
		lines.push(`  ActivatePro  no profile for ${step.user.id}`);
	}
	if (emailApiUser) {
		lines.push(`  Email API    user ${emailApiUser.name} (${short(emailApiUser.id)}, ${emailApiUser.roles?.role})${emailApiUsers.length > 1 ? `, ${emailApiUsers.length} users with this email!` : ''}`);
	} else {
		lines.push(`  Email API    no user${emailApiUsers.some((u) => u.deleted) ? ' (deleted)' : ''}`);
	}
	if (contact) {
		const active = enrolments.map((e) => e.workflowName);
		lines.push(`               contact ${short(contact.id)}, tags ${contact.tags?.join(', ') || '-'}; in workflows: ${active.join(', ') || 'none'}`);
	}
	lines.push(`  Emails sent  ${emails.length ? emails.map((e) => e.workflowName).join(', ') : 'none'}`);
	return lines;
}

/** The deletion record of `user` in the archive table, as lines for people (none when there is no row). */
export async function describeArchive(stack, user) {
	if (!stack.archive) return [];
	const rows = (await archiveRows(stack.rest, stack.archive)).filter((row) => row.userId === user.id);
	if (rows.length === 0) return [`  Archive      no row for ${user.id} in "${ARCHIVE_TABLE}"`];
	return rows.flatMap((row) => [
		`  Archive      "${ARCHIVE_TABLE}" row ${row.id} (written ${row.createdAt}, ${row.snapshot ? 'full snapshot' : 'receipt only'}): ${row.status}`,
		`               deleted on ${row.deletedAt} by Rankr event ${row.webhookId}; email kept only as sha256 ${String(row.emailHash).slice(0, 12)}…`,
		`               held: ${row.held}`,
		`               removed: ${row.removed || '(not yet)'}${row.removedAt ? ` at ${row.removedAt}` : ''}`,
	]);
}
