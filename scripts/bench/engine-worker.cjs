// Benchmark worker: runs one node once through the compiled engine runner and measures it; forked by the scenarios.
// Runs one node once through n8n-core's WorkflowExecute (scripts/engine/engine-runner.ts, compiled to .bench/build) and
// reports what it cost. The node is the built package's (dist/, loaded by the runner: `npm run build` first).
// One fresh process per run: no heap left over from another run. With job.warmup the same node first runs once on
// that many items (the first ones of the measured set), as in a long-running n8n whose HTTP stack and code are
// warm when the nightly sync starts; only the second run is measured.
//   fork(engine-worker.cjs, [JSON job]) with execArgv ['--expose-gc'] -> one IPC message {ok, result|error}
// job: {scenario: 'bulkUpsert', n, url, apiKey, timeoutS, onError} | {scenario: 'creates', n, url, token, locationId, companyId}
//   | {scenario: 'helperFloor', n, url, apiKey, batchSize, sendConcurrency, pollConcurrency, schedule} (helper-floor-node.cjs)
// The node's own window (from its execute() being called to its return) is marked by wrapping the node
// type and measured with lib/worker.cjs's meter() (RSS and heap sampled every 10 ms inside it).
'use strict';
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { DOCUMENTED_VERSION } = require('../sandbox/emailapi-sandbox.js');
const { helperFloorNode } = require('./helper-floor-node.cjs');
const { meter, mb, profiles, serve, warmedUp } = require('./lib/worker.cjs');

const ROOT = path.resolve(__dirname, '..', '..');
// BENCH_BUILD: another compiled runner, default .bench/build. The runner loads the package whose package.json is
// nearest above it: to try a change, copy package.json, dist/ and .bench/build/scripts into one folder of the
// repository (e.g. .bench/exp-x, so that node_modules resolves) and edit its dist/.
const BUILD = process.env.BENCH_BUILD ? path.resolve(process.env.BENCH_BUILD) : path.join(ROOT, '.bench', 'build');

const job = JSON.parse(process.argv[2] ?? '{}');
// engine-runner.ts would make a new temporary n8n user folder per process; one shared folder instead.
process.env.N8N_USER_FOLDER ??= path.join(ROOT, '.bench', 'n8n-user-folder');
require('node:fs').mkdirSync(process.env.N8N_USER_FOLDER, { recursive: true });

const SCENARIOS = {
	bulkUpsert: {
		type: 'n8n-nodes-rankr.activateProUser',
		items: (n) => profiles(n),
		parameters: (j) => ({
			operation: 'batch',
			batchAction: 'upsert',
			userId: '={{ $json.id }}',
			email: '={{ $json.email }}',
			attributeSource: 'inputFields',
			options: { waitForCompletion: true, timeout: j.timeoutS ?? 300 },
		}),
		credentials: (j) => ({ activateProApi: { apiKey: j.apiKey, baseUrl: j.url } }),
		// every item processed, one output item each
		done: (item) => item.json.status === 'processed',
	},
	creates: {
		type: 'n8n-nodes-rankr.emailApi',
		items: (n) => profiles(n).map((p) => ({ email: p.email, fullName: `${p.firstName} ${p.lastName}` })),
		parameters: () => ({ resource: 'user', operation: 'create', email: '={{ $json.email }}', fullName: '={{ $json.fullName }}', role: 'user' }),
		credentials: (j) => ({ emailApiKeyApi: { token: j.token, baseUrl: j.url, apiVersion: DOCUMENTED_VERSION, locationId: j.locationId, companyId: j.companyId } }),
		done: (item) => typeof item.json.id === 'string',
	},
	// the bulk upsert's helper floor: floor.cjs's requests through n8n's request helper, not a node of the package
	helperFloor: {
		node: (j) => ({ type: 'bench.helperFloor', node: helperFloorNode(j) }),
		items: (n) => profiles(n),
		parameters: () => ({}),
		credentials: () => ({}),
		// the node itself fails unless the tracking reported every user processed
		done: () => true,
	},
};

serve(async () => {
	const scenario = SCENARIOS[job.scenario];
	if (!scenario) throw new Error(`unknown scenario ${job.scenario}`);

	const loadStart = performance.now();
	const engine = require(path.join(BUILD, 'scripts', 'engine', 'engine-runner.js'));
	// one of our nodes at version 1 (as a workflow saved today asks for it), or the scenario's own node
	const { type, node: inner } = scenario.node?.(job) ?? { type: scenario.type, node: engine.nodeType(scenario.type, 1) };
	const loadMs = performance.now() - loadStart;

	// The node under test, wrapped to mark its own window.
	let window;
	const wrapped = Object.create(inner);
	wrapped.execute = async function execute() {
		// no gc() here: it would count in n8n's executionTime of the node (the caller collects just before runNode)
		const stop = meter();
		try {
			return await inner.execute.call(this);
		} finally {
			window = stop();
		}
	};
	engine.registerNodeType(type, wrapped);

	const run = (items) =>
		engine.runNode({
			type,
			parameters: scenario.parameters(job),
			items,
			credentials: scenario.credentials(job),
			// 'stopWorkflow' is n8n's default; 'continueErrorOutput' is what examples/bulk-sync.json uses (n8n-core then
			// splits the node's output into success and error items after the node returned).
			onError: job.onError ?? 'stopWorkflow',
		});
	if (job.warmup) {
		const warm = await run(scenario.items(job.warmup));
		if (warm.error || warm.success.length !== job.warmup) throw new Error(`warm-up run failed: ${warm.error?.message ?? JSON.stringify(warm.errors[0]?.json)}`);
		await warmedUp();
	}

	const items = scenario.items(job.n);
	if (global.gc) global.gc();
	const rssWithItems = process.memoryUsage().rss;

	const runStart = performance.now();
	const result = await run(items);
	const runNodeMs = performance.now() - runStart;

	const subject = result.run.data.resultData.runData.Subject?.[0];
	const processed = result.success.filter(scenario.done).length;
	return {
		n: job.n,
		ok: result.success.length === job.n && processed === job.n && !result.error,
		processed,
		outputItems: result.success.length,
		errorItems: result.errors.length,
		firstError: result.errors[0]?.json ?? (result.error ? { message: result.error.message } : undefined),
		...window,
		n8nExecutionTimeMs: subject?.executionTime,
		// n8n's own work around execute(): before it is called, after it returned (epoch ms, 1 ms resolution)
		n8nBeforeExecuteMs: subject && window ? window.windowEpochMs[0] - subject.startTime : undefined,
		n8nAfterExecuteMs: subject && window ? subject.startTime + subject.executionTime - window.windowEpochMs[1] : undefined,
		runNodeMs,
		loadMs,
		rssWithItemsMb: mb(rssWithItems),
	};
});
