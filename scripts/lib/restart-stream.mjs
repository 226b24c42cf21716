// Harness: a steady stream of Rankr signups while n8n restarts; for the demo, test/restart and test/queue.
// Rankr (the sandbox, with HighLevel's retry policy: only after a 429) delivers `count` signed signups at `rate`
// per second to `url` — through the proxy of examples/proxy/ or straight to n8n — while `restart()` stops and
// starts an n8n process mid-stream. Then it reads what happened to each user: how many runs got past the
// examples' "Skip redeliveries" step for them (0: the signup was lost; 2+: it ran twice).
import { randomUUID } from 'node:crypto';

import { seconds, sleep, waitFor } from './proc.mjs';

/**
 * The signup example cut down to its intake: its Rankr Trigger and "Skip redeliveries" (Remove Duplicates on
 * webhookId) unchanged, then one cheap step that leaves a trace per run: an ActivatePro upsert without waiting.
 * What a delivery costs n8n is then the trigger and the de-duplication, not the Email API's rate limit.
 */
export function intakeWorkflow(signup, { id, name, webhookId }) {
	const copy = (pick, changes = {}) => ({ ...structuredClone(signup.nodes.find(pick)), id: randomUUID(), ...changes });
	const trigger = copy((n) => n.type === 'n8n-nodes-rankr.rankrTrigger', { webhookId });
	const skip = copy((n) => n.type === 'n8n-nodes-base.removeDuplicates');
	const upsert = copy((n) => n.name === 'ActivatePro: create profile', { name: 'ActivatePro: record the event' });
	upsert.parameters = {
		...upsert.parameters,
		attributesJson: '={{ { lastRankrEvent: $json.event, lastRankrEventAt: $json.timestamp, source: $json.webhookId } }}',
		options: { waitForCompletion: false },
	};
	return {
		id,
		name,
		active: true,
		nodes: [trigger, skip, upsert],
		connections: {
			[trigger.name]: { main: [[{ node: skip.name, type: 'main', index: 0 }]] },
			[skip.name]: { main: [[{ node: upsert.name, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** { [status]: count } of the deliveries' final answers (0: no answer — refused connection or time-out). */
function tally(values) {
	const counts = {};
	for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
	return counts;
}

/**
 * Per user, the runs that got past "Skip redeliveries" in intakeWorkflow: the ActivatePro upserts (PUT /users)
 * of that user. { [user id]: runs }.
 */
export function intakeRuns(stack, users) {
	const counts = new Map(users.map((u) => [u.id, 0]));
	for (const r of stack.activatepro.requests('PUT /users')) {
		let body;
		try {
			body = JSON.parse(r.rawBody);
		} catch {
			continue; // not a profile
		}
		if (counts.has(body.id)) counts.set(body.id, counts.get(body.id) + 1);
	}
	return counts;
}

/** Per user, the runs of the signup example itself: the welcome emails the Email API sent them. */
export function welcomeEmails(stack, users) {
	const counts = new Map(users.map((u) => [u.id, 0]));
	const idOf = new Map(users.map((u) => [u.email.toLowerCase(), u.id]));
	for (const email of stack.emailapi.emailsSent) {
		const id = idOf.get(email.to.toLowerCase());
		if (id !== undefined && email.workflowName === 'Welcome') counts.set(id, counts.get(id) + 1);
	}
	return counts;
}

/**
 * Streams `count` signups (ids `${prefix}-<n>`) at `rate`/s to `url`; after `restartAfterMs` calls `restart()`
 * (which stops n8n and starts it again, resolving once it serves again). `runsOf(stack, users)` counts the runs
 * per user of the workflow behind `url` (default: intakeWorkflow's upserts). Waits for every delivery to settle
 * (Rankr's retries included) and the runs to end. Returns { count, ran, lost, doubled, answers, firstAnswers,
 * attempts, retried, restartMs, streamMs, settledMs }.
 */
export async function streamThroughRestart(stack, { url, count, rate, prefix, restartAfterMs, restart, runsOf = intakeRuns, say = () => {} }) {
	const users = Array.from({ length: count }, (_, i) => ({
		id: `${prefix}-${i}`,
		email: `${prefix}-${i}@example.com`,
		firstName: 'Restart',
		lastName: `User ${i}`,
	}));
	const started = Date.now();
	let restartMs;
	const restarting = sleep(restartAfterMs).then(async () => {
		const at = Date.now();
		say(`    restarting n8n ${seconds(at - started)} into the stream`);
		await restart();
		restartMs = Date.now() - at;
		say(`    n8n serves again after ${seconds(restartMs)}${stack.lastStopMs === undefined ? "" : ` (stopping took ${seconds(stack.lastStopMs)})`}`);
	});
	const deliveries = [];
	for (const [i, user] of users.entries()) {
		const due = started + (i * 1000) / rate;
		if (due > Date.now()) await sleep(due - Date.now());
		deliveries.push(stack.rankr.deliver(url, stack.rankr.event('UserCreate', user)));
	}
	const streamMs = Date.now() - started;
	const records = await Promise.all(deliveries);
	await restarting;
	// The runs of the last accepted deliveries end a little after their answers.
	const accepted = records.filter((r) => r.delivered).length;
	let last = -1;
	await waitFor(
		async () => {
			const ran = [...runsOf(stack, users).values()].filter((n) => n > 0).length;
			const settled = ran >= accepted && ran === last;
			last = ran;
			return settled;
		},
		{ timeoutMs: 120_000, intervalMs: 3000 },
	);
	const upserts = runsOf(stack, users);
	return {
		count,
		ran: [...upserts.values()].filter((n) => n > 0).length,
		lost: [...upserts.values()].filter((n) => n === 0).length,
		doubled: [...upserts.values()].filter((n) => n > 1).length,
		answers: tally(records.map((r) => r.attempts.at(-1).status)),
		firstAnswers: tally(records.map((r) => r.attempts[0].status)),
		attempts: records.reduce((n, r) => n + r.attempts.length, 0),
		retried: records.filter((r) => r.attempts.length > 1).length,
		restartMs,
		streamMs,
		settledMs: Date.now() - started,
	};
}

/** One line for a result: "N sent, ran R, lost L, doubled D; answers …". */
export function describeStream(result) {
	const answers = Object.entries(result.answers)
		.map(([status, n]) => `${n}× ${status === '0' ? 'no answer' : status}`)
		.join(', ');
	return `${result.count} signups: ${result.ran} ran, ${result.lost} lost, ${result.doubled} ran twice; final answers ${answers}; ${result.retried} needed Rankr's retry (${result.attempts} attempts); n8n down ${seconds(result.restartMs ?? 0)}`;
}
