// Queue-mode scenarios d, d3, d2 (Rankr redeliveries under load); run by test/queue/queue.e2e.mjs.
// d, d3, d2. Rankr redelivering under load: thousands of signed webhooks at concurrency 50, a share of them
// redelivered after the acknowledgement, to the same webhook process (d) or to another process (d3); and the
// signup flow itself with every signup redelivered to main (d2): what gets through twice, and what it costs.
import { FINISHED } from '../../scripts/lib/n8n.mjs';
import { seconds, sleep, waitFor } from '../../scripts/lib/proc.mjs';
import { executionsStartedBy, groupCpuSeconds } from '../../scripts/lib/queue-mode.mjs';
import { executionPage, problemOf, TOTAL_TIMEOUT_MS } from './queue-stack.mjs';

const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');

/** CPU seconds so far per process of the stack (each with its children), and of this test process. */
function cpuSnapshot(stack) {
	const snapshot = {};
	for (const p of stack.processes()) if (!p.hasExited()) snapshot[p.name] = groupCpuSeconds(p.pid);
	if (stack.postgres) snapshot.postgres = groupCpuSeconds(stack.postgres.child.pid);
	snapshot.redis = groupCpuSeconds(stack.redis.child.pid);
	const own = process.cpuUsage();
	snapshot['test (sandboxes, Rankr signing)'] = (own.user + own.system) / 1e6;
	return snapshot;
}

/** { status: count } of a workflow's finished executions. */
async function statusCountsOf(stack, workflowId) {
	const counts = {};
	for (const status of FINISHED) counts[status] = (await executionPage(stack, workflowId, { limit: 1, status: [status] })).count;
	return counts;
}

/** How the failed executions of `workflowId` (at most 30 of them) failed: { "node: message": count }. */
async function failureTally(stack, workflowId) {
	const tally = {};
	const { results } = await executionPage(stack, workflowId, { limit: 30, status: ['error', 'crashed'] });
	for (const e of results) {
		const full = await stack.rest.execution(e.id).catch(() => undefined);
		const key = (problemOf(full) || `(${e.status}, no message)`).split('\n')[0].replace(/[^\s"]+@[^\s"]+/g, '<email>').slice(0, 140);
		tally[key] = (tally[key] ?? 0) + 1;
	}
	return tally;
}

/** Passes past "Skip redeliveries": per user id, the ActivatePro upserts whose body `counts`: { n, firstAt (the first's time) }. */
function passesOf(stack, counts = () => true) {
	const passes = new Map();
	for (const r of stack.activatepro.requests('PUT /users')) {
		let body;
		try {
			body = JSON.parse(r.rawBody);
		} catch {
			continue; // not ours
		}
		if (!counts(body)) continue;
		const seen = passes.get(body.id);
		if (seen) seen.n++;
		else passes.set(body.id, { n: 1, firstAt: r.at });
	}
	return passes;
}

/**
 * What d, d3 and d2 send, and n8n's part of it: `total` signed UserCreate events for `user(i)`, `concurrency` at a
 * time, to the webhook of the workflow `key` on the webhook process; an event for which `redeliver(i)` holds is
 * sent again right after its acknowledgement (same body, same webhookId, as after a lost acknowledgement) to
 * `redeliveryUrl`. No fresh event goes out after `deadline`. Then waits until n8n has run everything it accepted.
 */
async function sendAndDrain(stack, checks, { key, total, concurrency, user, redeliver, redeliveryUrl, deadline = Infinity }) {
	const { workflow } = stack.workflows[key];
	const beforeCount = (await executionPage(stack, workflow.id, { limit: 1 })).count;
	const countsBefore = await statusCountsOf(stack, workflow.id);
	const redeliveredAt = new Map(); // event index -> when its redelivery went out
	const outcome = { delivered: 0, failed: 0, ignored: 0, attempts: 0, retried: 0, redeliveries: 0, redeliveriesDelivered: 0, redeliveriesTurnedAway: 0, statuses: {} };
	const sendStarted = Date.now();
	let next = 0;
	let outOfTime = false;
	const progressTimer = setInterval(() => {
		const s = (Date.now() - sendStarted) / 1000;
		checks.say(`  … ${next} of ${total} events sent (+${outcome.redeliveries} redeliveries) in ${s.toFixed(0)} s, ${((next + outcome.redeliveries) / s).toFixed(1)}/s; statuses ${JSON.stringify(outcome.statuses)}`);
	}, 30_000);
	/** One delivery, counted in `outcome`; whether it was acknowledged. */
	const deliver = async (url, event, redelivery) => {
		// Rankr's policy: a retry only after a 429 (the proxy's answer when the webhook process is busy or slow),
		// same body; here 3 s apart instead of 10 minutes.
		const record = await stack.rankr.deliver(url, event, { retries: 5, timeoutMs: 30_000 });
		const last = record.attempts.at(-1);
		outcome.attempts += record.attempts.length;
		if (record.attempts.length > 1) outcome.retried++;
		outcome.statuses[last.status] = (outcome.statuses[last.status] ?? 0) + 1;
		if (redelivery) outcome.redeliveries++;
		if (!record.delivered) outcome.failed++;
		else if (redelivery && /"ignored":"redelivery/.test(last.body)) outcome.redeliveriesTurnedAway++;
		// An attempt n8n took but answered after the proxy gave up (429): Rankr's retry is then "already received".
		else if (record.attempts.length > 1 && /"ignored":"redelivery/.test(last.body)) outcome.delivered++;
		else if (/"ignored"/.test(last.body)) outcome.ignored++;
		else if (redelivery) outcome.redeliveriesDelivered++;
		else outcome.delivered++;
		return record.delivered;
	};
	const sender = async () => {
		while (next < total) {
			if (Date.now() > deadline) return void (outOfTime = true);
			const i = next++;
			const event = stack.rankr.event('UserCreate', user(i));
			if (!(await deliver(stack.url(key), event, false)) || !redeliver(i)) continue;
			redeliveredAt.set(i, Date.now());
			await deliver(redeliveryUrl, event, true);
		}
	};
	try {
		await Promise.all(Array.from({ length: concurrency }, () => sender()));
	} finally {
		clearInterval(progressTimer);
	}
	const sent = next;
	const sendMs = Date.now() - sendStarted;
	checks.say(`  sent ${sent} events + ${outcome.redeliveries} redeliveries in ${seconds(sendMs)} (${(((sent + outcome.redeliveries) * 1000) / sendMs).toFixed(1)}/s); last answers ${JSON.stringify(outcome.statuses)}`);

	// Wait until n8n has run everything it accepted.
	const deliveries = outcome.delivered + outcome.redeliveriesDelivered;
	const drainStarted = Date.now();
	let progress = { count: 0, open: 0 };
	const drained = await waitFor(
		async () => {
			const all = await executionPage(stack, workflow.id, { limit: 1 });
			const open = await executionPage(stack, workflow.id, { limit: 1, status: ['new', 'running', 'waiting'] });
			progress = { count: all.count - beforeCount, open: open.count };
			return progress.count >= deliveries && progress.open === 0;
		},
		{ timeoutMs: Math.max(30_000, TOTAL_TIMEOUT_MS - (Date.now() - checks.started) - 90_000), intervalMs: 2000 },
	);
	const drainMs = Date.now() - drainStarted;
	const countsAfter = await statusCountsOf(stack, workflow.id);
	const statusCounts = Object.fromEntries(Object.entries(countsAfter).map(([k, n]) => [k, n - (countsBefore[k] ?? 0)]).filter(([, n]) => n > 0));
	const failures = statusCounts.error || statusCounts.crashed ? await failureTally(stack, workflow.id) : {};
	await sleep(500); // the last upserts' requests
	return { sent, outOfTime, sendMs, outcome, redeliveredAt, deliveries, drained, drainMs, progress, statusCounts, failures };
}

// ---------- d. redeliveries under load ----------

/**
 * d / d3: `acrossProcesses` false sends each redelivery to the webhook process that took the first delivery
 * (one webhook process, or a load balancer with sticky routing): the trigger's own memory must turn every one
 * away, so exactly one execution per distinct event. true sends it to main instead (main serves production
 * webhooks too), as a round-robin load balancer over several webhook processes would: only "Skip redeliveries"
 * (n8n's database) stands between the copies, and a redelivery whose execution overlaps the first one's can get
 * through; measured, not failed.
 */
export async function redeliveries(stack, checks, options, { key, acrossProcesses }) {
	const { events: total, concurrency, redeliverShare } = options;
	checks.section(`${key}. ${total.toLocaleString('en-US')} signed webhooks at concurrency ${concurrency}, ${Math.round(redeliverShare * 100)}% redelivered ${acrossProcesses ? 'to another process (main)' : 'to the same webhook process'}`);
	const idOf = (i) => `rk_${key}_${String(i).padStart(6, '0')}`;
	stack.activatepro.reset();
	const cpuBefore = cpuSnapshot(stack);
	const cpuStarted = Date.now();

	// Which events get redelivered: every 1/share-th, spread over the run.
	const redeliver = new Set();
	const step = redeliverShare > 0 ? 1 / redeliverShare : Infinity;
	for (let x = step / 2; x < total; x += step) redeliver.add(Math.floor(x));
	const { sent, outOfTime, sendMs, outcome, redeliveredAt, deliveries, drained, drainMs, progress, statusCounts, failures } = await sendAndDrain(stack, checks, {
		key: 'dedupe',
		total,
		concurrency,
		user: (i) => ({ id: idOf(i), email: `${key}-load${i}@example.com`, firstName: 'Load', lastName: String(i) }),
		redeliver: (i) => redeliver.has(i),
		redeliveryUrl: stack.url('dedupe', acrossProcesses ? stack.main : stack.webhook),
		// Never past the time budget: what is not sent by then is reported as not sent.
		deadline: checks.started + TOTAL_TIMEOUT_MS - 6 * 60_000, // left for the drain, d2, e and the shutdown
	});
	const cpuAfter = cpuSnapshot(stack);
	const wallS = (Date.now() - cpuStarted) / 1000;
	const cpu = Object.entries(cpuAfter)
		.map(([name, s]) => [name, s - (cpuBefore[name] ?? 0)])
		.sort((a, b) => b[1] - a[1]);
	const cpuTotal = cpu.reduce((n, [, s]) => n + s, 0);

	// Per event sent: how often it got past "Skip redeliveries" (the upserts ActivatePro received).
	const passes = passesOf(stack);
	const events = Array.from({ length: sent }, (_, i) => ({ i, n: 0, ...passes.get(idOf(i)) }));
	const once = events.filter((e) => e.n === 1).length;
	const never = events.filter((e) => e.n === 0).length;
	const duplicates = events.filter((e) => e.n > 1);
	const twice = duplicates.length;
	const redeliveredTwice = duplicates.filter((e) => redeliver.has(e.i)).length;
	const freshTwice = twice - redeliveredTwice;
	const afterFirstPass = duplicates.filter((e) => redeliveredAt.get(e.i) > e.firstAt).length; // duplicates whose redelivery went out after the first pass had reached ActivatePro

	const worker = stack.workers().map((w) => `${w.name}${w.endedOnPurpose ? ' (killed in c)' : ''} ${executionsStartedBy(w).length}`).join(', ');
	checks.say(`  n8n: ${progress.count} executions ${JSON.stringify(statusCounts)}, drained ${seconds(drainMs)} after the last send; executions started per worker (whole run): ${worker}`);
	checks.say(`  CPU over ${wallS.toFixed(0)} s (2 cores = ${(2 * wallS).toFixed(0)} CPU s): ${cpu.map(([name, s]) => `${name} ${s.toFixed(0)}`).join(', ')}; total ${cpuTotal.toFixed(0)} (${((100 * cpuTotal) / (2 * wallS)).toFixed(0)}%)`);
	checks.check(!outOfTime && sent === total, `all ${total.toLocaleString('en-US')} events were sent within the time budget`, `only ${sent} by the deadline (${seconds(sendMs)} of sending)`);
	checks.check(outcome.failed === 0 && outcome.ignored === 0, `every delivery was acknowledged, with Rankr's retries (${sent + outcome.redeliveries - outcome.failed} of ${sent + outcome.redeliveries}; ${outcome.retried} needed a retry, ${outcome.attempts} attempts in all)`, JSON.stringify(outcome));
	if (!acrossProcesses) {
		checks.check(outcome.redeliveriesTurnedAway === outcome.redeliveries, `the trigger turned every redelivery away before a workflow started (${outcome.redeliveriesTurnedAway} of ${outcome.redeliveries}: 200 "ignored": "redelivery…")`, JSON.stringify(outcome));
	}
	checks.check(drained && progress.count === deliveries, `one execution per delivery that was not turned away, all finished (${progress.count} for ${deliveries}; ${progress.open} still open)`, `drained: ${Boolean(drained)}`);
	checks.check((statusCounts.success ?? 0) === progress.count, `all of them succeeded (${JSON.stringify(statusCounts)})`, `how they failed (first 30): ${JSON.stringify(failures)}`);
	checks.check(never === 0, `every distinct event got past "Skip redeliveries" (${once + twice} of ${sent})`, `${never} never did`);
	const twiceLine = `${redeliveredTwice} of ${outcome.redeliveries} redeliveries got through a second time (${pct(redeliveredTwice, outcome.redeliveries)}); ${freshTwice} events never redelivered passed twice`;
	if (acrossProcesses) {
		checks.say(`  measured: ${twiceLine}; ${afterFirstPass} of the duplicates had their redelivery sent after the first pass reached ActivatePro`);
		checks.check(freshTwice === 0, 'an event delivered once never passes twice', `${freshTwice} did`);
	} else {
		checks.check(twice === 0, `no event got past it twice: ${twiceLine}`, `${afterFirstPass} of them had their redelivery sent after the first pass had reached ActivatePro`);
	}
	checks.print();
	checks.result(
		key,
		`${sent} of ${total} webhooks @${concurrency}, ${outcome.redeliveries} redelivered ${acrossProcesses ? 'to main (another process)' : 'to the same webhook process'}`,
		checks.sectionPassed,
		`sent in ${seconds(sendMs)} (${(((sent + outcome.redeliveries) * 1000) / sendMs).toFixed(1)}/s), ${outcome.retried} retried by Rankr, ${outcome.failed} never acknowledged; redeliveries turned away by the trigger ${outcome.redeliveriesTurnedAway}/${outcome.redeliveries}; drained +${seconds(drainMs)}; executions ${progress.count} ${JSON.stringify(statusCounts)}; past de-dup once ${once}, never ${never}, twice+ ${twice} (redeliveries through twice: ${redeliveredTwice}/${outcome.redeliveries} = ${pct(redeliveredTwice, outcome.redeliveries)}, ${afterFirstPass} of them sent after the first pass)`,
	);
}

// ---------- d2. the same race in the signup flow: what it costs ----------

export async function signupRedeliveries(stack, checks, options) {
	const total = options.signupEvents;
	const concurrency = Math.min(options.concurrency, 20);
	checks.section(`d2. the signup flow: ${total} signups at concurrency ${concurrency}, each redelivered to another process (main) right after its acknowledgement`);
	const idOf = (i) => `rk_resend_${String(i).padStart(5, '0')}`;
	const emailOf = (i) => `resend${i}@example.com`;
	const { outcome, sendMs, drained, drainMs, progress, statusCounts, failures } = await sendAndDrain(stack, checks, {
		key: 'signup',
		total,
		concurrency,
		user: (i) => ({ id: idOf(i), email: emailOf(i), firstName: 'Resend', lastName: String(i) }),
		// The worst case for the flow: the copy reaches a process whose trigger never saw the first delivery, while
		// the first execution may still be running, so only "Skip redeliveries" and the steps' own idempotency remain.
		redeliver: () => true,
		redeliveryUrl: stack.url('signup', stack.main),
	});
	const ms = sendMs + drainMs;

	// Per user: how often the flow got past "Skip redeliveries" (the ActivatePro create-profile upserts that
	// carry status 'active'), how many Email API users and welcome emails exist.
	const passes = passesOf(stack, (body) => body.status === 'active');
	const byEmail = (emails) => emails.reduce((m, email) => m.set(email.toLowerCase(), (m.get(email.toLowerCase()) ?? 0) + 1), new Map());
	const emailUsers = byEmail([...stack.emailapi.users.values()].filter((u) => !u.deleted).map((u) => u.email));
	const welcome = byEmail(stack.emailapi.emailsSent.filter((e) => e.workflowName === 'Welcome').map((e) => e.to));
	const users = Array.from({ length: total }, (_, i) => i);
	const passedTwice = users.filter((i) => passes.get(idOf(i))?.n > 1).length;
	const duplicateUsers = users.filter((i) => emailUsers.get(emailOf(i)) > 1).length;
	const duplicateWelcome = users.filter((i) => welcome.get(emailOf(i)) > 1).length;
	const noWelcome = users.filter((i) => !welcome.get(emailOf(i))).length;
	const acknowledged = total + outcome.redeliveries - outcome.failed;
	checks.say(`  ${acknowledged} deliveries acknowledged in ${seconds(ms)}; ${progress.count} executions ${JSON.stringify(statusCounts)}; failures (first 30): ${JSON.stringify(failures)}`);
	checks.check(drained && outcome.failed === 0, `all ${2 * total} deliveries acknowledged, all executions finished (${progress.count}, ${progress.open} open)`, JSON.stringify(outcome));
	checks.check((statusCounts.success ?? 0) === progress.count, `every execution succeeded, second passes included (${JSON.stringify(statusCounts)})`, `how they failed (first 30): ${JSON.stringify(failures)}`);
	checks.check(noWelcome === 0, `every user got the welcome email (${total - noWelcome} of ${total})`, `${noWelcome} did not`);
	checks.check(duplicateUsers === 0 && duplicateWelcome === 0, `no user has two Email API users or two welcome emails (${duplicateUsers} / ${duplicateWelcome})`, '');
	checks.say(`  measured: ${passedTwice} of ${total} signups got past "Skip redeliveries" a second time (${pct(passedTwice, total)}): the copy's execution overlapped the first one's`);
	checks.print();
	checks.result('d2', `signup flow, ${total} signups each redelivered after the ack`, checks.sectionPassed, `${seconds(ms)}; executions ${progress.count} ${JSON.stringify(statusCounts)}; past de-dup twice ${passedTwice}/${total} (${pct(passedTwice, total)}); duplicate Email API users ${duplicateUsers}, duplicate welcome emails ${duplicateWelcome}, missing welcome ${noWelcome}`);
}
