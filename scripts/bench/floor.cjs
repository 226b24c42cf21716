'use strict';
// The floor for the bulk upsert: what a plain Node script needs to do the same work, nothing of n8n around
// it. Same requests as our node (ceil(N/1000) POST /users/batch with the same entries, the same number in
// flight), then the same tracking poll (same schedule and concurrency as nodes/shared/tracking.ts, given
// by the parent from the compiled code). Measured like engine-worker.cjs (lib/worker.cjs): its own process, one run.
// It repeats the node's sending and polling on purpose, written again without n8n or the node's code: a floor
// that shared that code would move with it.
//   fork(floor.cjs, [JSON {n, url, apiKey, batchSize, sendConcurrency, pollConcurrency, schedule, warmup}])
// warmup: like engine-worker.cjs, one unmeasured run on that many users (the first of the measured set) first.
const http = require('node:http');
const { mapWithConcurrency, meter, profiles, serve, warmedUp } = require('./lib/worker.cjs');

const job = JSON.parse(process.argv[2] ?? '{}');
const agent = new http.Agent({ keepAlive: true });
const target = new URL(job.url);

function request(method, path, body) {
	return new Promise((resolve, reject) => {
		const payload = body === undefined ? undefined : JSON.stringify(body);
		const headers = { Accept: 'application/json', 'X-XNG-AuthToken': job.apiKey, 'X-XNG-ApiVersion': '2' };
		if (payload !== undefined) {
			headers['Content-Type'] = 'application/json';
			headers['Content-Length'] = Buffer.byteLength(payload);
		}
		const req = http.request({ host: target.hostname, port: target.port, method, path, headers, agent }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				resolve({ status: res.statusCode, body: text ? JSON.parse(text) : undefined });
			});
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(payload);
	});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function run(users) {
	const chunks = [];
	for (let i = 0; i < users.length; i += job.batchSize) chunks.push(users.slice(i, i + job.batchSize));
	const trackingIds = await mapWithConcurrency(chunks, job.sendConcurrency, async (chunk) => {
		const answer = await request('POST', '/users/batch', { updated: chunk, deleted: [] });
		if (answer.status !== 202) throw new Error(`batch answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
		return answer.body.trackingId;
	});
	// Poll every open tracking id per round, backing off between rounds, as pollUntilDone does.
	const { initialIntervalMs, factor, maxIntervalMs, timeoutMs } = job.schedule;
	const started = Date.now();
	let open = trackingIds;
	let interval = initialIntervalMs;
	let processed = 0;
	let rounds = 0;
	while (open.length) {
		rounds++;
		const states = await mapWithConcurrency(open, job.pollConcurrency, (id) => request('GET', `/users/track/${encodeURIComponent(id)}`));
		const still = [];
		states.forEach((s, i) => {
			if (s.status === 200 && s.body.stage === 'PROCESSED') processed += s.body.success;
			else still.push(open[i]);
		});
		open = still;
		if (!open.length) break;
		const elapsed = Date.now() - started;
		if (elapsed >= timeoutMs) throw new Error(`tracking not done after ${elapsed} ms`);
		await sleep(Math.min(interval, timeoutMs - elapsed));
		interval = Math.min(maxIntervalMs, Math.round(interval * factor));
	}
	return { processed, rounds, batches: chunks.length };
}

serve(async () => {
	if (job.warmup) {
		await run(profiles(job.warmup));
		await warmedUp();
	}
	const users = profiles(job.n);
	if (global.gc) global.gc();
	const stop = meter();
	const outcome = await run(users);
	return { n: job.n, ok: outcome.processed === job.n, processed: outcome.processed, pollRounds: outcome.rounds, ...stop() };
});
