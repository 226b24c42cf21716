// A real n8n server (`n8n start`, main process only) for the benchmark, brought up the way the demo does it
// (scripts/lib/stack.mjs): the built package in a fresh user folder, credentials and workflows imported with
// the CLI, the owner set up, the trigger workflows activated over REST, their production webhooks probed
// until n8n serves them. Only what the benchmark imports: no sandboxes, no example flows.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {
	builtPackage,
	freePort,
	importAll,
	installN8n,
	N8nRest,
	n8nCli,
	n8nEnvironment,
	prepareUserFolder,
	startN8nServer,
} from '../../lib/n8n.mjs';
import { waitFor } from '../../lib/proc.mjs';
import { webhookOf } from '../../lib/stack.mjs';

const OWNER = { email: 'bench@example.com', password: 'RankrBench1', firstName: 'Bench', lastName: 'Owner' };

/**
 * Starts n8n with `credentials` (import:credentials format) and `workflows` (objects with fixed ids; the
 * ones to activate have a Rankr trigger with a webhookId). Returns { url, rest, runtime, nodeVersion,
 * webhookUrl(workflowId), executions(workflowId), stop(), timings }.
 */
export async function startBenchN8n({ credentials, workflows, say = () => {}, logLevel = 'info', extraEnv = {} }) {
	const timings = {};
	const timed = async (label, work) => {
		const started = Date.now();
		const result = await work();
		timings[label] = Date.now() - started;
		return result;
	};
	const pkg = builtPackage();
	const runtime = await timed('installMs', () => installN8n());
	const nodeVersion = spawnSync(runtime.node, ['--version'], { encoding: 'utf8' }).stdout.trim();
	const { tmp, userFolder } = prepareUserFolder(pkg);
	const port = await freePort();
	const env = { ...n8nEnvironment(runtime, userFolder, { brokerPort: await freePort(), port, logLevel }), ...extraEnv };
	const cli = n8nCli({ runtime, env, cwd: tmp, say, redact: (t) => String(t), verbose: false });

	const workflowFiles = workflows.map((workflow) => {
		const file = path.join(tmp, `${workflow.id}.json`);
		fs.writeFileSync(file, JSON.stringify(workflow));
		return file;
	});
	await timed('importMs', () => importAll(cli, tmp, { credentials, workflowFiles }));

	const server = await timed('startMs', () => startN8nServer({ runtime, env, cwd: tmp, port, logFile: path.join(tmp, 'n8n.log'), say, redact: (t) => String(t), verbose: false }));
	try {
		const rest = new N8nRest(server.url);
		await rest.setupOwner(OWNER);
		const hooks = new Map();
		await timed('activateMs', async () => {
			for (const workflow of workflows) {
				const trigger = workflow.nodes.map((node) => webhookOf(node)).find(Boolean);
				if (!trigger) continue;
				await rest.activate(workflow.id);
				hooks.set(workflow.id, { url: `${server.url}/webhook/${trigger.path}`, method: trigger.method });
			}
		});
		await timed('webhooksMs', () => waitForWebhooks([...hooks.values()]));
		return {
			url: server.url,
			rest,
			runtime,
			nodeVersion,
			timings,
			logFile: path.join(tmp, 'n8n.log'),
			webhookUrl: (workflowId) => hooks.get(workflowId).url,
			/** How many executions n8n has stored for the workflow, in total and finished successfully. */
			async executions(workflowId) {
				const count = async (filter) => {
					const data = await rest.request('GET', `/executions?filter=${encodeURIComponent(JSON.stringify(filter))}&limit=1`);
					return data?.count;
				};
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

/** Until n8n serves every webhook: a CORS preflight, answered from its registry without running anything (as stack.mjs). */
async function waitForWebhooks(hooks) {
	const missing = new Set(hooks);
	await waitFor(
		async () => {
			for (const hook of [...missing]) {
				try {
					const response = await fetch(hook.url, {
						method: 'OPTIONS',
						headers: { origin: 'http://localhost', 'access-control-request-method': hook.method },
						signal: AbortSignal.timeout(2000),
					});
					if (response.status < 300 && (response.headers.get('access-control-allow-methods') ?? '').includes(hook.method)) missing.delete(hook);
				} catch {
					// not yet
				}
			}
			return missing.size === 0;
		},
		{ timeoutMs: 30_000, intervalMs: 250 },
	);
	if (missing.size) throw new Error(`n8n did not register the webhooks ${[...missing].map((h) => h.url).join(', ')} within 30 s`);
}
