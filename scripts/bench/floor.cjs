// Benchmark worker: the plain-Node floor of the bulk upsert; forked by scenarios/bulk-upsert.mjs and scale.mjs.
// The floor for the bulk upsert: what a plain Node script needs to do the same work, nothing of n8n around
// it. Same requests as our node (ceil(N/1000) POST /users/batch with the same entries, the same number in
// flight), then the same tracking poll (same schedule and concurrency as nodes/shared/tracking.ts, given
// by the parent from the compiled code). Measured like engine-worker.cjs (lib/worker.cjs): its own process, one run.
// It repeats the node's sending and polling on purpose, written again without n8n or the node's code (floorSync in
// lib/worker.cjs, shared with the helper floor, which only sends through n8n's helper): a floor that shared the
// node's code would move with it.
//   fork(floor.cjs, [JSON {n, url, apiKey, batchSize, sendConcurrency, pollConcurrency, schedule, warmup}])
// warmup: like engine-worker.cjs, one unmeasured run on that many users (the first of the measured set) first.
'use strict';
const http = require('node:http');
const { floorSync, meter, profiles, serve, warmedUp } = require('./lib/worker.cjs');

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

const run = (users) => floorSync(users, { send: request, ...job });

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
