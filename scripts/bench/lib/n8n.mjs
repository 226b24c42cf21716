// The benchmark's real n8n, through the harness (scripts/lib): its workers and sandbox children, "today's way"
// (n8n's HTTP Request node, one PUT /users per item, run headless with `n8n execute`), and an n8n server with
// the package for the webhook scenario, booted as the demo boots its own (scripts/lib/stack.mjs).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { builtPackage, executionResult, freePort, installN8n, logLines, n8nEnvironment, ROOT } from '../../lib/n8n.mjs';
import { run, runWorker, startServer, temporaryFolder } from '../../lib/proc.mjs';
import { bootN8n, publish } from '../../lib/stack.mjs';
import { profile } from './profiles.cjs';

export { installN8n, ROOT };
export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MINUTE = 60_000;

/** A benchmark worker (engine-worker.cjs, floor.cjs …) in its own process; resolves with its answer. */
export const benchWorker = (script, job, options) => runWorker(path.join(BENCH_DIR, script), job, options);
/** A sandbox (sandbox-child.cjs) in its own process: { url, pid, info, call(cmd, args), close() }. */
export const benchSandbox = (kind, options = {}) => startServer(path.join(BENCH_DIR, 'sandbox-child.cjs'), { kind, options });

/** The workflow of today's way for n profiles, against the sandbox at url. */
export function todayWorkflow(n, url, apiKey) {
	const id = `benchTodayPut${n}`;
	const node = (name, type, typeVersion, x, parameters) => ({ id: `${id}-${x}`, name, type, typeVersion, position: [x, 0], parameters });
	return {
		id,
		name: `bench: one PUT /users per item, N=${n}`,
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, 0, {}),
			node('Make profiles', 'n8n-nodes-base.code', 2, 220, {
				jsCode: `${profile.toString()}\nreturn Array.from({ length: ${n} }, (_, i) => ({ json: profile(i) }));`,
			}),
			node('PUT /users', 'n8n-nodes-base.httpRequest', 4.2, 440, {
				method: 'PUT',
				url: `${url}/users`,
				sendHeaders: true,
				headerParameters: {
					parameters: [
						{ name: 'X-XNG-AuthToken', value: apiKey },
						{ name: 'X-XNG-ApiVersion', value: '2' },
					],
				},
				sendBody: true,
				specifyBody: 'json',
				jsonBody: '={{ JSON.stringify($json) }}',
				options: {},
			}),
		],
		connections: {
			Start: { main: [[{ node: 'Make profiles', type: 'main', index: 0 }]] },
			'Make profiles': { main: [[{ node: 'PUT /users', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		active: false,
		pinData: {},
	};
}

/**
 * Today's way, prepared: one user folder (without the package: today's way does not use it) with the workflows
 * imported once; execute(n) runs one of them with `n8n execute --rawOutput`, its peak RSS read by peak-rss.cjs.
 */
export async function prepareN8n(runtime, { url, apiKey, sizes }) {
	const tmp = temporaryFolder('rankr-bench-n8n-');
	const peakDir = path.join(tmp, 'peak');
	fs.mkdirSync(peakDir);
	const env = {
		...n8nEnvironment(runtime, path.join(tmp, 'home'), { brokerPort: await freePort() }),
		NODE_OPTIONS: `--require ${path.join(BENCH_DIR, 'lib', 'peak-rss.cjs')}`,
		BENCH_PEAK_DIR: peakDir,
	};
	const workflows = new Map(sizes.map((n) => [n, todayWorkflow(n, url, apiKey)]));
	const file = path.join(tmp, 'workflows.json');
	fs.writeFileSync(file, JSON.stringify([...workflows.values()]));
	const imported = await run(runtime.node, [runtime.n8n, 'import:workflow', `--input=${file}`], { env, cwd: tmp, timeoutMs: 5 * MINUTE });
	if (imported.code !== 0) throw new Error(`n8n import:workflow failed (exit ${imported.code ?? imported.signal}):\n${(imported.stdout + imported.stderr).slice(-3000)}`);

	return {
		importMs: imported.ms,
		async execute(n) {
			const workflow = workflows.get(n);
			for (const f of fs.readdirSync(peakDir)) fs.rmSync(path.join(peakDir, f));
			const outputFile = path.join(tmp, 'execute.log');
			const result = await run(runtime.node, [runtime.n8n, 'execute', `--id=${workflow.id}`, '--rawOutput'], { env, cwd: tmp, timeoutMs: 20 * MINUTE, outputFile });
			const execution = executionResult(logLines(`${result.stdout}\n${result.stderr}`));
			const runData = execution?.data?.resultData?.runData ?? {};
			const put = runData['PUT /users']?.[0];
			const make = runData['Make profiles']?.[0];
			const items = put?.data?.main?.[0] ?? [];
			const accepted = items.filter((item) => typeof item.json?.trackingId === 'string').length;
			let peak;
			try {
				peak = JSON.parse(fs.readFileSync(path.join(peakDir, `${result.pid}.json`), 'utf8'));
			} catch {
				peak = undefined;
			}
			const runError = execution?.data?.resultData?.error;
			const ok = result.code === 0 && execution?.status === 'success' && accepted === n;
			// The HTTP Request node itself failed (e.g. "connection closed unexpectedly": it sends every item's
			// request at once, 10,000 sockets): an outcome of today's way, reported, not a crash of the benchmark.
			if (!ok && runError && (runError.node?.name === 'PUT /users' || execution?.data?.resultData?.lastNodeExecuted === 'PUT /users')) {
				return { n, ok: false, failedInN8n: `HTTP Request node: ${runError.message}`, processed: accepted, nodeMs: put?.executionTime, processMs: result.ms };
			}
			if (!ok) {
				const why = runError
					? `${runError.node?.name ?? '?'}: ${runError.message}`
					: result.timedOut
						? 'timed out'
						: execution
							? `exit ${result.code ?? result.signal}`
							: `no execution found in its output (exit ${result.code ?? result.signal})`;
				const kept = path.join(ROOT, '.bench', `n8n-execute-N${n}-${Date.now()}.log`);
				fs.mkdirSync(path.dirname(kept), { recursive: true });
				fs.copyFileSync(outputFile, kept);
				const tail = result.stdout
					.split('\n')
					.filter((line) => line.trim() && line.length < 500)
					.slice(-5)
					.join('\n');
				throw new Error(`today's way in n8n failed for N=${n}: ${why}, ${accepted}/${n} accepted; n8n's output: ${path.relative(ROOT, kept)}\n${tail}`);
			}
			return {
				n,
				ok,
				processed: accepted,
				nodeMs: put.executionTime,
				codeNodeMs: make?.executionTime,
				processMs: result.ms,
				rssPeakProcessMb: peak ? Math.round(peak.maxRssKb / 102.4) / 10 : undefined,
			};
		},
		close() {
			fs.rmSync(tmp, { recursive: true, force: true });
		},
	};
}

const OWNER = { email: 'bench@example.com', password: 'RankrBench1', firstName: 'Bench', lastName: 'Owner' };
/** The keys of `timings`, by the boot's stage labels. */
const TIMING = [
	[/imported$/, 'importMs'],
	[/started on port/, 'startMs'],
	[/activated$/, 'activateMs'],
	[/^webhooks registered$/, 'webhooksMs'],
];

/**
 * n8n serving `workflows` (objects with fixed ids; those with a webhook trigger are published) with
 * `credentials` (import:credentials format). Returns { url, rest, runtime, nodeVersion, timings,
 * webhookUrl(workflowId), executions(workflowId), stop(), output() }.
 */
export async function startBenchN8n({ credentials, workflows, logLevel = 'info', extraEnv = {} }) {
	const timings = {};
	const stage = async (label, work) => {
		const started = Date.now();
		const result = await work();
		const key = TIMING.find(([pattern]) => pattern.test(label))?.[1];
		if (key) timings[key] = Date.now() - started;
		return result;
	};
	const started = Date.now();
	const runtime = await installN8n();
	timings.installMs = Date.now() - started;
	const tmp = temporaryFolder('rankr-bench-workflows-');
	const workflowFiles = workflows.map((workflow) => {
		const file = path.join(tmp, `${workflow.id}.json`);
		fs.writeFileSync(file, JSON.stringify(workflow));
		return file;
	});
	const { server, rest } = await bootN8n({ runtime, pkg: builtPackage(), credentials, workflowFiles, port: await freePort(), owner: OWNER, stage, logLevel, extraEnv });
	try {
		const urls = await publish({ rest, serverUrl: server.url, workflows, stage });
		return {
			url: server.url,
			rest,
			runtime,
			nodeVersion: runtime.nodeVersion,
			timings,
			webhookUrl: (workflowId) => urls[workflowId],
			/** How many executions n8n has stored for the workflow, in total and finished successfully. */
			async executions(workflowId) {
				const count = async (filter) => (await rest.request('GET', `/executions?filter=${encodeURIComponent(JSON.stringify(filter))}&limit=1`))?.count;
				const [total, success] = await Promise.all([count({ workflowId }), count({ workflowId, status: ['success'] })]);
				return { total, success };
			},
			stop: () => server.stop(),
			output: () => server.output(),
		};
	} catch (error) {
		await server.stop();
		throw error;
	}
}
