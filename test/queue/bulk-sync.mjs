// Queue-mode scenarios b and c (paged bulk sync; a worker killed mid-sync); run by test/queue/queue.e2e.mjs.
// b. The paged bulk sync (examples/bulk-sync.json: PostgreSQL source, one execution per page) spread over both
// workers: exactly the N users (2 of them rejected and kept in rankr_sync_rejected), ceil(N/1000) batch
// requests, every page done once; a done page never runs again.
// c. A worker is SIGKILLed mid-sync: its pages are handed out again once their lease ran out and the sync is
// started again; exactly N users, and only the killed pages ran twice.
import { FINISHED } from '../../scripts/lib/n8n.mjs';
import { checkpointPages, PAGE_KEY_HEADER, PAGE_LISTENER_SQL, PAGE_PATH, psql, resetCheckpoint, RESUME_PATH, SOURCE_TABLE, START_PATH, userId, waitForSyncDone } from '../../scripts/lib/paged-sync.mjs';
import { Failure, seconds, sleep, waitFor } from '../../scripts/lib/proc.mjs';
import { executionsStartedBy } from '../../scripts/lib/queue-mode.mjs';
import { executionPage, LEASE_SECONDS, LOCK, problemOf } from './queue-stack.mjs';

const fmt = (n) => n.toLocaleString('en-US');

/** The sync's users in ActivatePro: how many are in range, beyond it, with a wrong email or name. */
function syncIdsState(stack, count) {
	const users = [...stack.activatepro.users.values()].filter((u) => /^sync-/.test(u.id));
	const numbered = users.flatMap((u) => (/^sync-\d{7}$/.test(u.id) ? [{ u, i: Number(u.id.slice(5)) }] : []));
	return {
		held: users.length,
		present: numbered.filter(({ i }) => i < count).length,
		mismatched: numbered.filter(({ u, i }) => u.id !== userId(i) || u.email !== `member${i}@example.com` || u.lastName !== String(i)).length,
		stray: users.length - numbered.filter(({ i }) => i < count).length,
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
	return { requests: batches.length, entries, trackingPolls: stack.activatepro.requests('GET /users/track/').length };
}

const webhookUrl = (stack, path) => `${stack.webhook.url}/webhook/${path}`;

async function post(url, body = {}, headers = {}) {
	const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
	return response.status;
}

/** Hands `page` of `runId` to the page webhook as the coordinator does (with the page key). */
const handOut = (stack, runId, page) => post(webhookUrl(stack, PAGE_PATH), { runId, page }, { [PAGE_KEY_HEADER]: stack.pageKey });

/** The sync workflow's executions n8n kept (failed ones are kept whole; successful ones are not saved). */
async function keptExecutions(stack) {
	return (await executionPage(stack, stack.workflows.bulk.workflow.id, { limit: 100 })).results.length;
}

/** Which worker's log names each page's (last) execution: { [page]: worker name }. */
function workersOfPages(stack, pages) {
	const byExecution = new Map(stack.workers().flatMap((w) => executionsStartedBy(w).map((id) => [id, w.name])));
	return Object.fromEntries(pages.map((p) => [p.page, byExecution.get(p.executionId) ?? '?']));
}

function pageTotals(pages) {
	return pages.reduce((t, p) => ({ users: t.users + p.users, synced: t.synced + p.synced, rejected: t.rejected + p.rejected }), { users: 0, synced: 0, rejected: 0 });
}

/**
 * The sync's failed executions (n8n keeps those whole), leaving out the ids in `earlier` (an earlier scenario's, e.g.
 * c's killed ones): any() → true once there is one; describe() → the first's error; ids() → all of them now.
 */
function failedPageRuns(stack, earlier = new Set()) {
	const workflowId = stack.workflows.bulk.workflow.id;
	const list = async () => (await executionPage(stack, workflowId, { status: ['error', 'crashed'], limit: 100 })).results.filter((e) => !earlier.has(e.id));
	return {
		any: async () => (await list()).length > 0,
		describe: async () => {
			const [first] = await list();
			return first ? `#${first.id}: ${problemOf(await stack.rest.execution(first.id).catch(() => undefined)) || 'no message'}` : '';
		},
		ids: async () => new Set((await list()).map((e) => e.id)),
	};
}

// ---------- b. the paged sync on both workers ----------

export async function bulkSync(stack, checks, options) {
	const n = options.bulk;
	const expectedPages = Math.ceil(n / options.pageSize);
	const expectedBatches = Math.ceil(n / 1000);
	checks.section(`b. the paged bulk sync: ${fmt(n)} users from PostgreSQL in ${expectedPages} pages of ${fmt(options.pageSize)}, on both workers`);
	stack.activatepro.reset();
	await resetCheckpoint(stack.source);
	// Two users the node must reject (before any request): in the first page and in the last.
	const bad = [1, n - 1].map(userId);
	const db = psql(stack.source);
	await db.exec(`UPDATE ${SOURCE_TABLE} SET email = 'not-an-email' WHERE id IN ('${bad.join("', '")}')`);
	// The page webhook is on the open internet: without the page key (Header Auth) it runs nothing.
	const keptBefore = await keptExecutions(stack);
	const strangers = [
		['no key', await post(webhookUrl(stack, PAGE_PATH), { runId: 1, page: 0 })],
		['a wrong key', await post(webhookUrl(stack, PAGE_PATH), { runId: 1, page: 0 }, { [PAGE_KEY_HEADER]: 'guess' })],
		['an empty body, no key', await post(webhookUrl(stack, PAGE_PATH))],
	];
	await sleep(2000);
	checks.check(
		strangers.every(([, code]) => code === 401 || code === 403) && (await keptExecutions(stack)) === keptBefore,
		`the page webhook refuses strangers: ${strangers.map(([how, code]) => `${how} → ${code}`).join(', ')}; no execution started or saved`,
		`${keptBefore} → ${await keptExecutions(stack)}`,
	);
	const status = await post(webhookUrl(stack, START_PATH));
	checks.check(status === 200, `the webhook process accepted the start (${status})`, '');
	const failed = failedPageRuns(stack);
	const run = await waitForSyncDone(stack.source, { timeoutMs: 10 * 60_000, stop: failed.any });
	const { pages } = run;
	checks.check(!(await failed.any()), 'no execution of the sync failed', await failed.describe());
	const where = workersOfPages(stack, pages);
	const workersUsed = new Set(Object.values(where));
	const totals = pageTotals(pages);
	checks.check(run.done && pages.length === expectedPages, `all ${pages.length} pages done in ${seconds(run.ms)} (checkpoint rankr_sync_pages)`, JSON.stringify(pages.filter((p) => p.state !== 'done')));
	checks.check(
		pages.every((p) => p.attempts === 1 && p.dispatches === 1 && p.handedOutBy === 'notification'),
		'each page handed out once, by notification to the page listener, and run once (attempts 1)',
		JSON.stringify(pages.filter((p) => p.attempts !== 1 || p.dispatches !== 1 || p.handedOutBy !== 'notification')),
	);
	checks.check(totals.users === n && totals.synced === n - 2 && totals.rejected === 2, `the pages count ${fmt(totals.users)} users read, ${fmt(totals.synced)} synced, ${totals.rejected} rejected`, JSON.stringify(totals));
	const kept = await db.query('SELECT user_id, page, reason FROM rankr_sync_rejected ORDER BY user_id');
	await db.exec(`UPDATE ${SOURCE_TABLE} SET email = 'member' || substr(id, 6)::integer || '@example.com' WHERE id IN ('${bad.join("', '")}')`);
	checks.check(
		kept.length === 2 && kept.every(([id, , reason], i) => id === bad[i] && /not a valid email/i.test(reason)),
		`the 2 rejected users are kept in rankr_sync_rejected with their reason (pages ${kept.map(([, page]) => page).join(', ')})`,
		JSON.stringify(kept),
	);
	checks.check(
		workersUsed.size === 2 && !workersUsed.has('?'),
		`both workers ran pages (${[...workersUsed].map((w) => `${w}: ${Object.values(where).filter((x) => x === w).length}`).join(', ')})`,
		JSON.stringify(where),
	);
	const state = syncIdsState(stack, n);
	const traffic = batchTraffic(stack);
	checks.check(state.present === n - 2 && state.stray === 0 && state.mismatched === 0, `ActivatePro holds ${fmt(state.held)} users (all but the 2 rejected), each with its own email`, JSON.stringify(state));
	checks.check(traffic.requests === expectedBatches && traffic.entries === n - 2, `${traffic.requests} batch requests = ceil(N/1000), carrying ${fmt(traffic.entries)} entries`, JSON.stringify(traffic));

	// Replays change nothing: the resume sweep finds nothing to hand out, a page webhook for a done page claims nothing.
	const replay = [await post(webhookUrl(stack, RESUME_PATH)), await handOut(stack, pages[0].runId, 0)];
	await sleep(5000);
	const after = await checkpointPages(stack.source);
	checks.check(
		replay.every((s) => s === 200 || s === 202) && batchTraffic(stack).requests === expectedBatches && after.every((p) => p.attempts === 1 && p.runId === pages[0].runId),
		'a resume sweep and a replayed page webhook after the run: no request, no page run again, no new run',
		`${replay.join(', ')}; requests ${batchTraffic(stack).requests}; ${JSON.stringify(after.filter((p) => p.attempts !== 1 || p.runId !== pages[0].runId))}`,
	);
	// A page whose users are all gone by the time it runs (deleted after planning) ends done with 0, not stuck.
	const runId = pages[0].runId + 1;
	await db.exec(`INSERT INTO rankr_sync_pages (run_id, page, first_id, next_id, lease_seconds) VALUES (${runId}, 0, 'gone-0', 'gone-9', ${LEASE_SECONDS})`);
	await handOut(stack, runId, 0);
	const empty = await waitFor(async () => (await checkpointPages(stack.source, runId)).find((p) => p.state === 'done'), { timeoutMs: 30_000, intervalMs: 250 });
	checks.check(empty?.users === 0 && empty.synced === 0 && empty.rejected === 0 && batchTraffic(stack).requests === expectedBatches, 'a page whose users were deleted after planning ends done with 0 users, no request', JSON.stringify(empty));
	checks.print();
	checks.result('b', `paged bulk sync, ${fmt(n)} users on 2 workers`, checks.sectionPassed, `${pages.length} pages in ${seconds(run.ms)} on ${[...workersUsed].join(',')}; users ${state.present}, batch requests ${traffic.requests}`);
}

// ---------- c. a worker dies mid-sync ----------

export async function killedWorker(stack, checks, options) {
	const n = options.bulk;
	const expectedBatches = Math.ceil(n / 1000);
	const perPage = Math.ceil(options.pageSize / 1000);
	checks.section(`c. a worker is SIGKILLed mid-sync; its pages are handed out again after their ${LEASE_SECONDS}-s lease`);
	stack.activatepro.reset();
	await resetCheckpoint(stack.source);
	// Each batch answer is held 1 s, so pages take seconds and "mid-sync" is a moment.
	stack.activatepro.faults.add({ route: 'POST /users/batch', kind: 'delay', ms: 1000, times: expectedBatches * 2 });
	const batchesSeen = () => stack.activatepro.requests('POST /users/batch').length;
	const status = await post(webhookUrl(stack, START_PATH));
	if (!(await waitFor(() => batchesSeen() >= Math.ceil(expectedBatches / 4), { timeoutMs: 4 * 60_000, intervalMs: 20 }))) throw new Failure('the sync never reached a quarter of its batch requests');
	const atKill = await checkpointPages(stack.source);
	const where = workersOfPages(stack, atKill.filter((p) => p.state === 'running'));
	const victim = stack.workers().find((w) => !w.hasExited() && Object.values(where).includes(w.name));
	if (!victim) throw new Failure(`no live worker's log names a running page's execution: ${JSON.stringify(where)}`);
	victim.endedOnPurpose = true;
	await victim.kill('SIGKILL');
	// The pages it held, read once it is dead (and its last statement, if any, ended): it may have claimed another
	// between the look above and the kill.
	await sleep(1000);
	const afterKill = await checkpointPages(stack.source);
	const victimRan = new Set(executionsStartedBy(victim));
	const killedPages = afterKill.filter((p) => p.state === 'running' && victimRan.has(p.executionId));
	const batchesAtKill = batchesSeen();
	const usersAtKill = syncIdsState(stack, n).present;
	checks.say(`  killed ${victim.name} (pid ${victim.pid}) holding pages ${killedPages.map((p) => p.page).join(', ')} after ${batchesAtKill} of ${expectedBatches} batch requests; ActivatePro had ${fmt(usersAtKill)} users`);
	checks.check(status === 200 && killedPages.length > 0, `the worker died holding ${killedPages.length} page(s) (${killedPages.map((p) => `#${p.page}`).join(', ')}), ${batchesAtKill} of ${expectedBatches} batch requests sent`, `${status}`);

	// The killed pages stay "running" until their leases (from each page's claim) run out; then the operator
	// starts the sync again.
	const pageList = killedPages.map((p) => p.page).join(', ') || '-1';
	const [[waitMs]] = await psql(stack.source).query(`SELECT coalesce(ceil(extract(epoch FROM max(lease_until) - now()) * 1000), 0)::bigint FROM rankr_sync_pages WHERE state = 'running' AND page IN (${pageList})`);
	if (Number(waitMs) > 0) await sleep(Number(waitMs) + 1000);

	// As the next sweep or night would: the open run resumes, nothing new is planned.
	const rerunStatus = await post(webhookUrl(stack, START_PATH));
	const run = await waitForSyncDone(stack.source, { timeoutMs: 5 * 60_000 });
	const rerun = run.pages.filter((p) => p.attempts > 1);
	checks.check(rerunStatus === 200 && run.done && run.pages.every((p) => p.runId === 1), `the start resumed run 1 (no new run): every page done ${seconds(run.ms)} later`, JSON.stringify(run.pages.filter((p) => p.state !== 'done')));
	checks.check(
		rerun.length === killedPages.length && rerun.every((p) => p.attempts === 2 && killedPages.some((k) => k.page === p.page)),
		`re-run pages: ${rerun.map((p) => `#${p.page}`).join(', ') || 'none'}, exactly the killed worker's; every other page ran once`,
		JSON.stringify(run.pages.map((p) => [p.page, p.attempts])),
	);
	const state = syncIdsState(stack, n);
	const traffic = batchTraffic(stack);
	const extra = traffic.requests - expectedBatches;
	checks.check(state.present === n && state.stray === 0 && state.mismatched === 0 && state.distinctEmails === n, `exactly ${fmt(n)} users in ActivatePro, each with its own email`, JSON.stringify(state));
	checks.check(
		extra >= 0 && extra <= killedPages.length * perPage,
		`batch requests: ${expectedBatches} + ${extra} sent again for the killed pages (at most ${killedPages.length * perPage})`,
		JSON.stringify(traffic),
	);

	// What n8n made of the killed executions: the job's lock expired and the execution was marked failed.
	const deadline = Date.now() + LOCK.durationMs + LOCK.stalledIntervalMs * 3 + 20_000;
	const ended = await waitFor(
		async () => {
			const found = await Promise.all(killedPages.map((p) => stack.rest.execution(p.executionId).catch(() => undefined)));
			return found.every((e) => e && FINISHED.has(e.status)) ? found : undefined;
		},
		{ timeoutMs: Math.max(0, deadline - Date.now()), intervalMs: 1000 },
	);
	checks.check(Boolean(ended) && ended.every((e) => e.status !== 'success'), `n8n ended the killed executions: ${ended ? ended.map((e) => `#${e.id} ${e.status} (${problemOf(e) || 'no message'})`).join('; ') : 'not within the lock time'}`, '');
	const restarted = await stack.start('worker');
	checks.check(Boolean(restarted), `a replacement worker started (${restarted.name}, ${seconds(restarted.ms)})`, '');
	checks.print();
	checks.result('c', 'worker SIGKILLed mid-sync, its pages re-run', checks.sectionPassed, `killed ${victim.name} holding pages ${killedPages.map((p) => p.page).join(',')}; re-run ${rerun.map((p) => p.page).join(',')}; users ${state.present}, batch requests ${traffic.requests} (${extra} again)`);
}

// ---------- l. the page listener is gone ----------

/**
 * The Postgres Trigger that takes pages from the coordinator (on main) does not listen again once its connection
 * drops (n8n 2.41 and 1.123). The coordinator must notice and hand the pages to the page webhook instead; publishing
 * the workflow again brings the listener back.
 */
export async function listenerGone(stack, checks, options) {
	const n = options.bulk;
	const expectedBatches = Math.ceil(n / 1000);
	checks.section('l. the page listener lost its PostgreSQL connection: the pages go by the page webhook and the sync ends done; publishing again brings the listener back');
	const db = psql(stack.source);
	const listeners = async () => (await db.query(PAGE_LISTENER_SQL)).length;
	// Scenario c leaves its killed executions as failed ones: only new failures count here.
	const earlier = await failedPageRuns(stack).ids();
	const syncOnce = async () => {
		stack.activatepro.reset();
		await resetCheckpoint(stack.source);
		// Just published, the webhook process may not serve the start webhook yet (404 until it does).
		let status = 404;
		await waitFor(async () => (status = await post(webhookUrl(stack, START_PATH))) !== 404, { timeoutMs: 30_000, intervalMs: 500 });
		if (status !== 200) throw new Failure(`the start webhook answered ${status}`);
		const failed = failedPageRuns(stack, earlier);
		const run = await waitForSyncDone(stack.source, { timeoutMs: 10 * 60_000, stop: failed.any });
		const state = syncIdsState(stack, n);
		return { status, run, state, requests: batchTraffic(stack).requests, failure: await failed.describe(), by: [...new Set(run.pages.map((p) => p.handedOutBy))].join(',') };
	};
	const before = await listeners();
	const dropped = (await db.query(`SELECT pg_terminate_backend(pid) FROM (${PAGE_LISTENER_SQL}) l`)).length;
	await sleep(1000);
	checks.check(before === 1 && dropped === 1 && (await listeners()) === 0 && !stack.main.hasExited(), `the listener's connection ended (${dropped} of ${before} terminated by PostgreSQL); main still runs`, `${before}, ${dropped}`);
	const deaf = await syncOnce();
	checks.check(
		deaf.status === 200 && deaf.run.done && deaf.by === 'webhook' && deaf.run.pages.every((p) => p.attempts === 1) && deaf.state.present === n && deaf.requests === expectedBatches,
		`without a listener: every page handed out by the page webhook (${deaf.by}), done once in ${seconds(deaf.run.ms)}; ${fmt(deaf.state.present)} users, ${deaf.requests} batch requests`,
		JSON.stringify({ ...deaf, run: deaf.run.pages.filter((p) => p.state !== 'done' || p.attempts !== 1) }),
	);
	await stack.rest.deactivate(stack.workflows.bulk.workflow.id);
	await stack.rest.activate(stack.workflows.bulk.workflow.id);
	// The trigger issues its LISTEN just after activation answers.
	const back = (await waitFor(async () => ((await listeners()) > 0 ? listeners() : undefined), { timeoutMs: 15_000, intervalMs: 200 })) ?? 0;
	const healed = await syncOnce();
	checks.check(
		back === 1 && healed.run.done && healed.by === 'notification' && healed.state.present === n && healed.requests === expectedBatches,
		`published again: the listener is back (${back}) and the next run goes by notification (${healed.by}), done in ${seconds(healed.run.ms)}; ${fmt(healed.state.present)} users`,
		JSON.stringify({ back, by: healed.by, done: healed.run.done, present: healed.state.present, requests: healed.requests, failure: healed.failure }),
	);
	checks.print();
	checks.result('l', 'page listener gone: pages by webhook; back after publishing', checks.sectionPassed, `deaf run by ${deaf.by} in ${seconds(deaf.run.ms)}; healed run by ${healed.by} in ${seconds(healed.run.ms)}`);
}

// ---------- f. a page outlives its lease; t. transient failures ----------

/**
 * A page of `users` users (from user `from`) in a run of its own, planned by hand as the planner would, with a
 * lease of `leaseSeconds`; returns its run id. Runs after b (the checkpoint tables and the view exist).
 */
async function pageOfItsOwn(stack, { from, users, leaseSeconds }) {
	const db = psql(stack.source);
	const [[runId]] = await db.query('SELECT coalesce(max(run_id), 0) + 100 FROM rankr_sync_pages');
	await db.exec(`INSERT INTO rankr_sync_pages (run_id, page, first_id, next_id, lease_seconds) VALUES (${runId}, 0, '${userId(from)}', '${userId(from + users)}', ${leaseSeconds})`);
	return Number(runId);
}

const pageState = async (stack, runId) => (await checkpointPages(stack.source, runId))[0];
const heldIn = (stack, from, users) => [...Array(users).keys()].filter((i) => stack.activatepro.users.has(userId(from + i))).length;

export async function leases(stack, checks, options) {
	checks.section('f. a page that outlives its lease: renewed while it works; once taken over, the first execution writes nothing more');
	const users = 15_000; // 3 chunks of 5,000, 5 requests each (4 in flight at once)
	const from = Math.min(20_000, options.bulk - users);

	// f1. Each request is held 1 s, the lease is 5 s: a chunk takes about 2 s, the page longer than its lease.
	stack.activatepro.reset();
	const renewed = await pageOfItsOwn(stack, { from, users, leaseSeconds: 5 });
	stack.activatepro.faults.add({ route: 'POST /users/batch', kind: 'delay', ms: 1000, times: 15 });
	await handOut(stack, renewed, 0);
	await waitFor(async () => (await pageState(stack, renewed))?.state === 'running', { timeoutMs: 30_000, intervalMs: 100 });
	await sleep(5500); // past the lease its claim had
	const again = await handOut(stack, renewed, 0);
	const f1 = await waitFor(async () => ((await pageState(stack, renewed))?.state === 'done' ? pageState(stack, renewed) : undefined), { timeoutMs: 60_000, intervalMs: 250 });
	const f1Requests = stack.activatepro.requests('POST /users/batch').length;
	checks.check(
		(again === 200 || again === 202) && f1?.attempts === 1 && f1.users === users && f1.synced === users && f1.rejected === 0 && f1.failed === 0 && f1Requests === 15 && heldIn(stack, from, users) === users,
		`a page longer than its lease keeps it: delivered again after the lease, the second execution claims nothing; done once (attempts ${f1?.attempts}), ${f1?.synced} of ${users} synced, ${f1Requests} requests`,
		JSON.stringify({ again, f1, f1Requests }),
	);

	// f2. Each request is held 4 s, the lease is 2 s: the page is delivered again while the first execution waits
	// on its first chunk, and the second takes it over. The first writes nothing after that.
	stack.activatepro.reset();
	const takenOver = await pageOfItsOwn(stack, { from, users, leaseSeconds: 2 });
	stack.activatepro.faults.add({ route: 'POST /users/batch', kind: 'delay', ms: 4000, times: 20 });
	await handOut(stack, takenOver, 0);
	await waitFor(() => stack.activatepro.requests('POST /users/batch').length >= 1, { timeoutMs: 30_000, intervalMs: 50 });
	await sleep(2500);
	await handOut(stack, takenOver, 0);
	const f2 = await waitFor(async () => ((await pageState(stack, takenOver))?.state === 'done' ? pageState(stack, takenOver) : undefined), { timeoutMs: 90_000, intervalMs: 250 });
	await sleep(10_000); // the first execution's next chunk would have come by now
	const f2Requests = stack.activatepro.requests('POST /users/batch').length;
	const rejectedRows = await psql(stack.source).query(`SELECT count(*) FROM rankr_sync_rejected WHERE run_id IN (${renewed}, ${takenOver})`);
	checks.check(
		f2?.attempts === 2 && f2.users === users && f2.synced === users && f2.rejected === 0 && f2.failed === 0 && heldIn(stack, from, users) === users && rejectedRows[0][0] === '0',
		`taken over: the page ends done by the second claim with counts that add up (${f2?.users} = ${f2?.synced} synced + ${f2?.rejected} rejected)`,
		JSON.stringify(f2),
	);
	checks.check(
		f2Requests === 20,
		`the first execution stopped at its next step: ${f2Requests} requests = its first chunk's 5, sent before the takeover, + the second's 15 (it would have sent 10 more)`,
		`${f2Requests} POST /users/batch`,
	);
	checks.print();
	checks.result('f', 'page outlives its lease: renewed; fenced once taken over', checks.sectionPassed, `f1 attempts ${f1?.attempts}, ${f1Requests} requests; f2 attempts ${f2?.attempts}, ${f2Requests} requests`);
}

export async function transientFailures(stack, checks, options) {
	checks.section('t. a failure that is not ActivatePro refusing the data: the page is given back and runs again, nobody is filed as rejected');
	const users = 15_000; // 3 chunks of 5,000
	const from = Math.min(30_000, options.bulk - users);
	stack.activatepro.reset();
	const runId = await pageOfItsOwn(stack, { from, users, leaseSeconds: 60 });
	// The first chunk's 5 requests go through; the second chunk's 5 are answered 503 on all 6 attempts the node makes.
	stack.activatepro.faults.add({ route: 'POST /users/batch', kind: 'delay', ms: 0, times: 5 });
	stack.activatepro.faults.add({ route: 'POST /users/batch', kind: 'status', status: 503, times: 30 });
	await handOut(stack, runId, 0);
	const givenBack = await waitFor(async () => {
		const p = await pageState(stack, runId);
		return p && p.state !== 'running' && p.attempts === 1 ? p : undefined;
	}, { timeoutMs: 120_000, intervalMs: 250 });
	const rejected = async () => Number((await psql(stack.source).query(`SELECT count(*) FROM rankr_sync_rejected WHERE run_id = ${runId}`))[0][0]);
	checks.check(
		givenBack?.state === 'queued' && givenBack.failed === 5000 && givenBack.users === 5000 && givenBack.synced === 5000 && /503/.test(givenBack.lastError) && (await rejected()) === 0,
		`ActivatePro answering 503 after the node's retries: the page is given back (${givenBack?.state}), ${givenBack?.failed} failed, none filed as rejected; the chunk before stays recorded (${givenBack?.synced} synced)`,
		JSON.stringify(givenBack),
	);
	// As the sweep would after one lease: the page runs again, from the chunk that failed.
	await handOut(stack, runId, 0);
	const done = await waitFor(async () => ((await pageState(stack, runId))?.state === 'done' ? pageState(stack, runId) : undefined), { timeoutMs: 60_000, intervalMs: 250 });
	const requests = stack.activatepro.requests('POST /users/batch').length;
	checks.check(
		done?.attempts === 2 && done.users === users && done.synced === users && done.rejected === 0 && done.failed === 0 && heldIn(stack, from, users) === users && (await rejected()) === 0,
		`run again, the page ends done: ${done?.synced} of ${users} synced, 0 rejected, 0 failed (attempt ${done?.attempts})`,
		JSON.stringify(done),
	);
	checks.check(requests === 5 + 30 + 10, `${requests} batch requests: the first chunk's 5, the second's 5 × 6 attempts, then only the 2 chunks not yet through (10)`, `${requests}`);
	checks.print();
	checks.result('t', 'transient failure: page run again, not filed as rejected', checks.sectionPassed, `given back ${givenBack?.state} with ${givenBack?.failed} failed; then done, attempts ${done?.attempts}, ${requests} requests`);
}
