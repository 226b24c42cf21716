// Benchmark: the helper floor, a minimal n8n node doing floor.cjs's requests via n8n's helper (engine-worker.cjs).
'use strict';
const { floorSync } = require('./lib/worker.cjs');

/**
 * What any community node can reach: ceil(N/1000) POST /users/batch with the same entries and the same number in
 * flight, then the same tracking poll (schedule and concurrency), every request through n8n-core's
 * this.helpers.httpRequest; no validation, no mapping beyond item.json, nothing of our node's code (nodes/ is not
 * imported on purpose: a floor that shared that code would move with it). Run through the engine like ours
 * (engine-worker.cjs, scenario helperFloor). settings: {url, apiKey, batchSize, sendConcurrency, pollConcurrency,
 * schedule}, as floor.cjs gets them; closed over (a real node has them as constants and the key from its
 * credential), since n8n calls execute() with its execution context as `this`, not the node object.
 */
function helperFloorNode(settings) {
	const { apiKey, batchSize, sendConcurrency, pollConcurrency, schedule } = settings;
	const url = settings.url.replace(/\/+$/, '');
	return {
		description: {
			displayName: 'Helper Floor',
			name: 'helperFloor',
			group: ['transform'],
			version: 1,
			description: "floor.cjs's requests through n8n's request helper",
			defaults: { name: 'Helper Floor' },
			inputs: ['main'],
			outputs: ['main'],
			properties: [],
		},
		async execute() {
			const items = this.getInputData();
			// the same flags as our transport (status as a value, full response): only authentication is left out
			const send = (method, path, body) => {
				const headers = { Accept: 'application/json', 'X-XNG-AuthToken': apiKey, 'X-XNG-ApiVersion': '2' };
				if (body !== undefined) headers['Content-Type'] = 'application/json';
				return this.helpers.httpRequest({ method, url: `${url}${path}`, headers, body, returnFullResponse: true, ignoreHttpStatusErrors: true });
			};
			const { processed } = await floorSync(
				items.map((item) => item.json),
				{ send: async (method, path, body) => {
					const answer = await send(method, path, body);
					return { status: answer.statusCode, body: answer.body };
				}, batchSize, sendConcurrency, pollConcurrency, schedule },
			);
			// the worker's check: every user processed, one output item per input item
			if (processed !== items.length) throw new Error(`tracking reported ${processed} of ${items.length} users processed`);
			return [items.map((item, i) => ({ json: item.json, pairedItem: { item: i } }))];
		},
	};
}

module.exports = { helperFloorNode };
