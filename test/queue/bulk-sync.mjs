// b. A 20,000-user bulk sync (examples/bulk-sync.json started by a webhook) runs on a worker; c. the worker
// running it is SIGKILLed half-way and the sync is run again on the other worker: exactly 20,000 users.
import { FINISHED, nodeOutput } from '../../scripts/lib/n8n.mjs';
import { Failure, seconds, sleep, waitFor } from '../../scripts/lib/proc.mjs';
import { executionsStartedBy } from '../../scripts/lib/queue.mjs';
import { executionIds, LOCK, problemOf, whereItRan } from './stack.mjs';

// ---------- b. 20,000 users ----------

/** The bulk sync's users in ActivatePro (sync-000000 …): how many are in range, beyond it, with a wrong email or name. */
function syncIdsState(stack, count) {
	const users = [...stack.activatepro.users.values()].filter((u) => /^sync-/.test(u.id));
	const numbered = users.flatMap((u) => (/^sync-\d{6}$/.test(u.id) ? [{ u, i: Number(u.id.slice(5)) }] : []));
	return {
		present: numbered.filter(({ i }) => i < count).length,
		mismatched: numbered.filter(({ u, i }) => u.email !== `member${i}@example.com` || u.lastName !== String(i)).length,
		stray: numbered.filter(({ i }) => i >= count).length,
		distinctEmails: new Set(users.map((u) => u.email.toLowerCase())).size,
	};
}

function batchTraffic(stack) {
	const batches = stack.activatepro.requests('POST /users/batch');
	const entries = batches.reduce((n, r) => {
		try {
			return n + (JSON.parse(r.rawBody).updated?.length ?? 0);
		} catch {
			return n;
		}
	}, 0);
	return { requests: batches.length, entries, trackingIds: stack.activatepro.tracking.size, trackingPolls: stack.activatepro.requests('GET /users/track/').length };
}

async function runBulk(stack) {
	const { workflow } = stack.workflows.bulk;
	const before = await executionIds(stack, workflow.id);
	const response = await fetch(stack.url('bulk'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(30_000) });
	return { before, status: response.status, workflow };
}

export async function bulkSync(stack, checks, options) {
	checks.section(`b. a ${options.bulk.toLocaleString('en-US')}-user bulk sync on a worker`);
	const t = Date.now();
	stack.activatepro.reset();
	const { before, status, workflow } = await runBulk(stack);
	checks.check(status === 200, `the webhook process accepted the start (${status})`, '');
	const [execution] = (await stack.rest.finishedAfter(workflow.id, before, { timeoutMs: 5 * 60_000, intervalMs: 500 })) ?? [];
	const ms = Date.now() - t;
	const where = whereItRan(stack, execution);
	const synced = nodeOutput(execution, 'Synced').length;
	const rejected = nodeOutput(execution, 'Rejected users').length;
	checks.check(execution?.status === 'success', `the sync finished with success (#${execution?.id}, ${execution?.status ?? 'not within 5 minutes'}, ${seconds(ms)})`, problemOf(execution));
	checks.check(where.ranOn.length === 1 && where.ranOn[0].startsWith('worker'), `a worker ran it (${where.ranOn.join(', ') || 'none'})`, `ran on: ${where.ranOn.join(', ') || 'none'}`);
	checks.check(synced === options.bulk && rejected === 0, `${synced} items out of "Synced", ${rejected} out of "Rejected users"`, '');
	const state = syncIdsState(stack, options.bulk);
	const traffic = batchTraffic(stack);
	checks.check(state.present === options.bulk && state.stray === 0 && state.mismatched === 0, `ActivatePro holds ${state.present.toLocaleString('en-US')} users, each with its own email`, JSON.stringify(state));
	const expectedBatches = Math.ceil(options.bulk / 1000);
	checks.check(traffic.requests === expectedBatches && traffic.entries === options.bulk, `${traffic.requests} batch requests (1000 per request) carrying ${traffic.entries} entries, ${traffic.trackingIds} tracking ids`, JSON.stringify(traffic));
	checks.print();
	checks.result('b', `${options.bulk.toLocaleString('en-US')}-user bulk sync on a worker`, checks.sectionPassed, `#${execution?.id} ${execution?.status} on ${where.ranOn.join(',') || '?'} in ${seconds(ms)}; users ${state.present}, batch requests ${traffic.requests}, entries ${traffic.entries}, tracking ids ${traffic.trackingIds}`);
}

// ---------- c. a worker dies mid-sync ----------

export async function killedWorker(stack, checks, options) {
	checks.section('c. the worker running the bulk sync is SIGKILLed half-way; the sync runs again');
	const t = Date.now();
	stack.activatepro.reset();
	const expectedBatches = Math.ceil(options.bulk / 1000);
	const killAt = Math.max(1, Math.floor(expectedBatches / 2));
	// Each batch answer is held 300 ms, so the sends (4 at a time) take a few seconds and "half-way" is a moment.
	stack.activatepro.faults.add({ route: 'POST /users/batch', kind: 'delay', ms: 300, times: expectedBatches });
	const batchesSeen = () => stack.activatepro.requests('POST /users/batch').length;
	const startedBefore = new Set(stack.workers().flatMap(executionsStartedBy));
	const first = await runBulk(stack);
	// Polled every 20 ms: the next batch requests come only as answers do, every 300 ms.
	if (!(await waitFor(() => batchesSeen() >= killAt, { timeoutMs: 4 * 60_000, intervalMs: 20 }))) throw new Failure(`the bulk sync never reached ${killAt} batch requests`);
	const running = stack.workers().find((w) => executionsStartedBy(w).some((id) => !startedBefore.has(id)));
	if (!running) throw new Failure('no worker log names the bulk sync execution');
	const killedExecution = executionsStartedBy(running).find((id) => !startedBefore.has(id));
	const usersAtKill = syncIdsState(stack, options.bulk).present;
	running.endedOnPurpose = true;
	await running.kill('SIGKILL');
	const batchesAtKill = batchesSeen();
	checks.say(`  killed ${running.name} (pid ${running.pid}, SIGKILL to its process group) running execution #${killedExecution} after ${batchesAtKill} of ${expectedBatches} batch requests; ActivatePro had ${usersAtKill} users`);
	await sleep(1000);
	const batchesAfterKill = batchesSeen();
	checks.check(first.status === 200, 'the first start was accepted', `${first.status}`);
	checks.check(batchesAtKill >= killAt && batchesAtKill < expectedBatches, `the worker died half-way: ${batchesAtKill} of ${expectedBatches} batch requests sent, ${usersAtKill.toLocaleString('en-US')} users in ActivatePro`, '');

	// The operator runs the sync again; the remaining worker takes it.
	const rerunStarted = Date.now();
	const again = await runBulk(stack);
	const [rerun] = (await stack.rest.finishedAfter(again.workflow.id, again.before.add(killedExecution), { timeoutMs: 5 * 60_000, intervalMs: 500 })) ?? [];
	const rerunMs = Date.now() - rerunStarted;
	const where = whereItRan(stack, rerun);
	checks.check(again.status === 200 && rerun?.status === 'success', `the re-run finished with success (#${rerun?.id}, ${seconds(rerunMs)})`, problemOf(rerun) || `${again.status} ${rerun?.status}`);
	checks.check(where.ranOn.length === 1 && where.ranOn[0] !== running.name, `the remaining worker ran it (${where.ranOn.join(', ') || 'none'})`, `ran on: ${where.ranOn.join(', ') || 'none'}`);

	const state = syncIdsState(stack, options.bulk);
	const traffic = batchTraffic(stack);
	checks.check(state.present === options.bulk && state.stray === 0, `exactly ${options.bulk.toLocaleString('en-US')} users in ActivatePro (ids unique by construction; none beyond sync-${String(options.bulk - 1).padStart(6, '0')})`, JSON.stringify(state));
	checks.check(state.mismatched === 0 && state.distinctEmails === options.bulk, `no user with a mismatched email or name; ${state.distinctEmails.toLocaleString('en-US')} distinct emails`, JSON.stringify(state));
	checks.check(traffic.requests === batchesAfterKill + expectedBatches, `batch requests: ${batchesAfterKill} before the kill + ${traffic.requests - batchesAfterKill} by the re-run = ${traffic.requests}; ${traffic.entries.toLocaleString('en-US')} entries; ${traffic.trackingIds} tracking ids`, JSON.stringify(traffic));

	// What n8n makes of the killed execution: the job's lock expires, the other worker's stalled check fails the
	// job (n8n allows no stalled retries), and the process that enqueued it marks the execution failed.
	const deadline = Date.now() + LOCK.durationMs + LOCK.stalledIntervalMs * 3 + 20_000;
	const killedFinal = await waitFor(
		async () => {
			const e = await stack.rest.execution(killedExecution).catch(() => undefined);
			return e && FINISHED.has(e.status) ? e : undefined;
		},
		{ timeoutMs: Math.max(0, deadline - Date.now()), intervalMs: 1000 },
	);
	const killedStatus = killedFinal?.status ?? (await stack.rest.execution(killedExecution).catch(() => undefined))?.status ?? 'unknown';
	checks.check(Boolean(killedFinal) && killedFinal.status !== 'success', `n8n ended the killed execution #${killedExecution}: ${killedStatus}${killedFinal ? ` (${problemOf(killedFinal) || 'no message'})` : ` (still not finished ${seconds(deadline - t)} after the kill)`}`, '');
	const restarted = await stack.start('worker');
	checks.check(Boolean(restarted), `a replacement worker started (${restarted.name}, ${seconds(restarted.ms)})`, '');
	checks.print();
	checks.result('c', 'worker SIGKILLed mid-sync, sync run again', checks.sectionPassed, `killed ${running.name} after ${batchesAtKill}/${expectedBatches} batches (${usersAtKill} users then); re-run #${rerun?.id} ${rerun?.status} on ${where.ranOn.join(',') || '?'}; users ${state.present}, mismatched ${state.mismatched}, batch requests ${traffic.requests}, tracking ids ${traffic.trackingIds}; killed execution → ${killedStatus}`);
}
