// d, d3, d2. Rankr redelivering under load: thousands of signed webhooks at concurrency 50, a share of them
// redelivered after the acknowledgement, to the same webhook process (d) or to another process (d3); and the
// signup flow itself with every signup redelivered to main (d2): what gets through twice, and what it costs.
import { seconds, sleep, waitFor } from '../../scripts/lib/proc.mjs';
import { executionsStartedBy, groupCpuSeconds } from '../../scripts/lib/queue.mjs';
import { executionPage, getExecution, problemOf, TOTAL_TIMEOUT_MS } from './stack.mjs';

// ---------- d. redeliveries under load ----------

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
	const { workflow } = stack.workflows.dedupe;
	const url = stack.url('dedupe');
	const redeliveryUrl = acrossProcesses ? `${stack.main.url}/webhook/${stack.workflows.dedupe.path}` : url;
	const prefix = `rk_${key}_`;
	stack.activatepro.reset();
	const beforeCount = (await executionPage(stack, workflow.id, { limit: 1 })).count;
	const countsBefore = await statusCountsOf(stack, workflow.id);
	const cpuBefore = cpuSnapshot(stack);

	// Which events get redelivered: every 1/share-th, spread over the run.
	const redeliver = new Set();
	const step = redeliverShare > 0 ? 1 / redeliverShare : Infinity;
	for (let x = step / 2; x < total; x += step) redeliver.add(Math.floor(x));
	const events = new Array(total);
	const redeliveredAt = new Map(); // event index -> when its redelivery went out
	const outcome = { delivered: 0, failed: 0, ignored: 0, attempts: 0, retried: 0, redeliveries: 0, redeliveriesDelivered: 0, redeliveriesTurnedAway: 0, statuses: {} };
	// Never past the time budget: what is not sent by then is reported as not sent.
	const sendDeadline = checks.started + TOTAL_TIMEOUT_MS - 6 * 60_000; // left for the drain, d2, e and the shutdown
	const sendStarted = Date.now();
	let next = 0;
	let outOfTime = false;
	const queue = []; // redeliveries, sent before the next fresh event
	const progressTimer = setInterval(() => {
		const s = (Date.now() - sendStarted) / 1000;
		checks.say(`  … ${next} of ${total} events sent (+${outcome.redeliveries} redeliveries) in ${s.toFixed(0)} s, ${((next + outcome.redeliveries) / s).toFixed(1)}/s; statuses ${JSON.stringify(outcome.statuses)}`);
	}, 30_000);
	const sender = async () => {
		for (;;) {
			let task = queue.shift();
			if (!task && next < total) {
				if (Date.now() > sendDeadline) {
					outOfTime = true;
					return;
				}
				task = { i: next++, redelivery: false };
			}
			if (!task) return;
			const user = { id: `${prefix}${String(task.i).padStart(6, '0')}`, email: `${key}-load${task.i}@example.com`, firstName: 'Load', lastName: String(task.i) };
			if (!task.redelivery) events[task.i] = stack.rankr.event('UserCreate', user);
			else redeliveredAt.set(task.i, Date.now());
			// Rankr's contract: redelivery on non-2xx, up to 5 times, exponential backoff (here from 2 s).
			const record = await stack.rankr.deliver(task.redelivery ? redeliveryUrl : url, events[task.i], { retries: 5, timeoutMs: 30_000 });
			const last = record.attempts.at(-1);
			outcome.attempts += record.attempts.length;
			if (record.attempts.length > 1) outcome.retried++;
			outcome.statuses[last.status] = (outcome.statuses[last.status] ?? 0) + 1;
			if (task.redelivery) outcome.redeliveries++;
			if (!record.delivered) outcome.failed++;
			else if (task.redelivery && /"ignored":"redelivery/.test(last.body)) outcome.redeliveriesTurnedAway++;
			else if (/"ignored"/.test(last.body)) outcome.ignored++;
			else if (task.redelivery) outcome.redeliveriesDelivered++;
			else outcome.delivered++;
			// Acknowledged: Rankr sends it again (same body, same webhookId), as after a lost acknowledgement.
			if (!task.redelivery && record.delivered && redeliver.has(task.i)) queue.push({ i: task.i, redelivery: true });
		}
	};
	try {
		await Promise.all(Array.from({ length: concurrency }, () => sender()));
		while (queue.length) await sender(); // a redelivery queued by the last sender to finish
	} finally {
		clearInterval(progressTimer);
	}
	const sent = next;
	const sendMs = Date.now() - sendStarted;
	const deliveries = outcome.delivered + outcome.redeliveriesDelivered;
	checks.say(`  sent ${sent} events + ${outcome.redeliveries} redeliveries in ${seconds(sendMs)} (${(((sent + outcome.redeliveries) * 1000) / sendMs).toFixed(1)}/s); last answers ${JSON.stringify(outcome.statuses)}`);

	// Wait until n8n has run everything it accepted.
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
	const cpuAfter = cpuSnapshot(stack);
	const wallS = (Date.now() - sendStarted) / 1000;
	const cpu = Object.entries(cpuAfter)
		.map(([name, s]) => [name, s - (cpuBefore[name] ?? 0)])
		.sort((a, b) => b[1] - a[1]);
	const cpuTotal = cpu.reduce((n, [, s]) => n + s, 0);
	const countsAfter = await statusCountsOf(stack, workflow.id);
	const statusCounts = Object.fromEntries(Object.entries(countsAfter).map(([k, n]) => [k, n - (countsBefore[k] ?? 0)]).filter(([, n]) => n > 0));
	const failures = statusCounts.error || statusCounts.crashed ? await failureTally(stack, workflow.id, 30) : {};
	await sleep(500); // the last upserts' requests

	// Passes past "Skip redeliveries": the upserts ActivatePro received, per event (with when the first came).
	const passes = new Map();
	for (const r of stack.activatepro.requests('PUT /users')) {
		try {
			const { id } = JSON.parse(r.rawBody);
			const seen = passes.get(id);
			if (seen) seen.n++;
			else passes.set(id, { n: 1, firstAt: r.at });
		} catch {
			// not ours
		}
	}
	let once = 0;
	let never = 0;
	let twice = 0;
	let redeliveredTwice = 0;
	let freshTwice = 0;
	let afterFirstPass = 0; // duplicates whose redelivery went out after the first pass had reached ActivatePro
	for (let i = 0; i < sent; i++) {
		const seen = passes.get(`${prefix}${String(i).padStart(6, '0')}`);
		const n = seen?.n ?? 0;
		if (n === 0) never++;
		else if (n === 1) once++;
		else {
			twice++;
			if (redeliver.has(i)) redeliveredTwice++;
			else freshTwice++;
			if (redeliveredAt.get(i) > seen.firstAt) afterFirstPass++;
		}
	}
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

/** { status: count } of a workflow's finished executions. */
async function statusCountsOf(stack, workflowId) {
	const counts = {};
	for (const status of ['success', 'error', 'crashed', 'canceled']) {
		const page = await executionPage(stack, workflowId, { limit: 1, status: [status] });
		if (page.count) counts[status] = page.count;
	}
	return counts;
}

/** How the failed executions of `workflowId` (at most `max` of them) failed: { "node: message": count }. */
async function failureTally(stack, workflowId, max = 50) {
	const tally = {};
	const { results } = await executionPage(stack, workflowId, { limit: Math.min(100, max), status: ['error', 'crashed'] });
	for (const e of results.slice(0, max)) {
		const full = await getExecution(stack, e.id).catch(() => undefined);
		const key = (problemOf(full) || `(${e.status}, no message)`).split('\n')[0].replace(/[^\s"]+@[^\s"]+/g, '<email>').slice(0, 140);
		tally[key] = (tally[key] ?? 0) + 1;
	}
	return tally;
}

export async function signupRedeliveries(stack, checks, options) {
	const total = options.signupEvents;
	const concurrency = Math.min(options.concurrency, 20);
	checks.section(`d2. the signup flow: ${total} signups at concurrency ${concurrency}, each redelivered to another process (main) right after its acknowledgement`);
	const { workflow } = stack.workflows.signup;
	const url = stack.url('signup');
	// The worst case for the flow: the copy reaches a process whose trigger never saw the first delivery, while
	// the first execution may still be running, so only "Skip redeliveries" and the steps' own idempotency remain.
	const redeliveryUrl = `${stack.main.url}/webhook/${stack.workflows.signup.path}`;
	const before = (await executionPage(stack, workflow.id, { limit: 1 })).count;
	const countsBefore = await statusCountsOf(stack, workflow.id);
	const t = Date.now();
	let next = 0;
	const outcome = { acknowledged: 0, failed: 0 };
	const sender = async () => {
		while (next < total) {
			const i = next++;
			const user = { id: `rk_resend_${String(i).padStart(5, '0')}`, email: `resend${i}@example.com`, firstName: 'Resend', lastName: String(i) };
			const event = stack.rankr.event('UserCreate', user);
			for (const target of [url, redeliveryUrl]) {
				const record = await stack.rankr.deliver(target, event, { retries: 5, timeoutMs: 30_000 });
				if (record.delivered) outcome.acknowledged++;
				else outcome.failed++;
			}
		}
	};
	await Promise.all(Array.from({ length: concurrency }, () => sender()));
	let progress = { count: 0, open: 0 };
	const drained = await waitFor(
		async () => {
			const all = await executionPage(stack, workflow.id, { limit: 1 });
			const open = await executionPage(stack, workflow.id, { limit: 1, status: ['new', 'running', 'waiting'] });
			progress = { count: all.count - before, open: open.count };
			return progress.count >= outcome.acknowledged && progress.open === 0;
		},
		{ timeoutMs: Math.max(30_000, TOTAL_TIMEOUT_MS - (Date.now() - checks.started) - 90_000), intervalMs: 2000 },
	);
	const ms = Date.now() - t;
	await sleep(500);

	// Per user: how often the flow got past "Skip redeliveries" (the ActivatePro create-profile upserts that
	// carry status 'active'), how many Email API users and welcome emails exist.
	const passes = new Map();
	for (const r of stack.activatepro.requests('PUT /users')) {
		try {
			const body = JSON.parse(r.rawBody);
			if (body.id?.startsWith('rk_resend_') && body.status === 'active') passes.set(body.id, (passes.get(body.id) ?? 0) + 1);
		} catch {
			// not ours
		}
	}
	let passedTwice = 0;
	let duplicateUsers = 0;
	let duplicateWelcome = 0;
	let noWelcome = 0;
	const emailUsers = new Map();
	for (const u of stack.emailapi.users.values()) if (!u.deleted) emailUsers.set(u.email.toLowerCase(), (emailUsers.get(u.email.toLowerCase()) ?? 0) + 1);
	const welcome = new Map();
	for (const e of stack.emailapi.emailsSent) if (e.workflowName === 'Welcome') welcome.set(e.to.toLowerCase(), (welcome.get(e.to.toLowerCase()) ?? 0) + 1);
	for (let i = 0; i < total; i++) {
		if ((passes.get(`rk_resend_${String(i).padStart(5, '0')}`) ?? 0) > 1) passedTwice++;
		if ((emailUsers.get(`resend${i}@example.com`) ?? 0) > 1) duplicateUsers++;
		const w = welcome.get(`resend${i}@example.com`) ?? 0;
		if (w > 1) duplicateWelcome++;
		if (w === 0) noWelcome++;
	}
	const countsAfter = await statusCountsOf(stack, workflow.id);
	const statusCounts = Object.fromEntries(Object.entries(countsAfter).map(([k, n]) => [k, n - (countsBefore[k] ?? 0)]).filter(([, n]) => n > 0));
	const failures = statusCounts.error || statusCounts.crashed ? await failureTally(stack, workflow.id, 30) : {};
	checks.say(`  ${outcome.acknowledged} deliveries acknowledged in ${seconds(ms)}; ${progress.count} executions ${JSON.stringify(statusCounts)}; failures (first 30): ${JSON.stringify(failures)}`);
	checks.check(drained && outcome.failed === 0, `all ${2 * total} deliveries acknowledged, all executions finished (${progress.count}, ${progress.open} open)`, JSON.stringify(outcome));
	checks.check((statusCounts.success ?? 0) === progress.count, `every execution succeeded, second passes included (${JSON.stringify(statusCounts)})`, `how they failed (first 30): ${JSON.stringify(failures)}`);
	checks.check(noWelcome === 0, `every user got the welcome email (${total - noWelcome} of ${total})`, `${noWelcome} did not`);
	checks.check(duplicateUsers === 0 && duplicateWelcome === 0, `no user has two Email API users or two welcome emails (${duplicateUsers} / ${duplicateWelcome})`, '');
	checks.say(`  measured: ${passedTwice} of ${total} signups got past "Skip redeliveries" a second time (${pct(passedTwice, total)}): the copy's execution overlapped the first one's`);
	checks.print();
	checks.result('d2', `signup flow, ${total} signups each redelivered after the ack`, checks.sectionPassed, `${seconds(ms)}; executions ${progress.count} ${JSON.stringify(statusCounts)}; past de-dup twice ${passedTwice}/${total} (${pct(passedTwice, total)}); duplicate Email API users ${duplicateUsers}, duplicate welcome emails ${duplicateWelcome}, missing welcome ${noWelcome}`);
}


const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');
