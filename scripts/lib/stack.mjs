// Harness: a real n8n with the package, the sandboxes and the examples running; for the demo, the e2e suite, the bench.
// A real n8n serving the editor with the package installed and workflows published (bootN8n, publish), and on
// top of it the whole thing running (startStack): the three sandboxes, the sandbox credentials and every example
// imported, the trigger flows active, an owner to log in with. startStack is what scripts/demo.mjs (npm start)
// and test/e2e/ run; the benchmark's real-n8n scenario boots its own workflows the same way.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';

import {
	builtPackage,
	ensurePortFree,
	exampleCredentialRefs,
	exampleWorkflows,
	freePort,
	importAll,
	installN8n,
	N8nRest,
	n8nCli,
	n8nEnvironment,
	prepareUserFolder,
	redactor,
	ROOT,
	startN8n,
} from './n8n.mjs';
import { createArchiveTable } from './archive.mjs';
import { newPageKey, pageKeyCredential } from './paged-sync.mjs';
import { Failure, onShutdown, seconds, sleep, waitFor } from './proc.mjs';
import { closeSandboxes, sandboxCredentials, SANDBOXES, startSandboxes } from './sandboxes.mjs';

const require = createRequire(import.meta.url);

/** The owner account of the demo instance (loopback only). Override with N8N_DEMO_EMAIL / N8N_DEMO_PASSWORD. */
export const DEFAULT_OWNER = { email: 'demo@example.com', password: 'RankrDemo1', firstName: 'Demo', lastName: 'Owner' };

/**
 * The production webhook of a trigger node, { path, method }, as n8n 2.41 builds it
 * (NodeHelpers.getNodeWebhookPath): a node with a webhookId listens on "<webhookId>/<path>", where path is the
 * node type's webhook path ("rankr" for the Rankr Trigger) unless the type marks it isFullPath; the Webhook
 * node's "path" parameter is the full path. Undefined for a node that is not such a trigger.
 */
export function webhookOf(node) {
	if (node.type === 'n8n-nodes-base.webhook') return { path: node.parameters.path, method: node.parameters.httpMethod ?? 'GET' };
	// The MCP Server Trigger (version 2) serves Streamable HTTP on /mcp/<path>.
	if (node.type === '@n8n/n8n-nodes-langchain.mcpTrigger') return { path: node.parameters.path, method: 'POST', base: 'mcp' };
	const prefix = 'n8n-nodes-rankr.';
	if (!node.type.startsWith(prefix) || !node.webhookId) return undefined;
	const name = node.type.slice(prefix.length);
	const className = name[0].toUpperCase() + name.slice(1);
	const pkg = require(path.join(ROOT, 'package.json'));
	const entry = pkg.n8n.nodes.find((file) => file.endsWith(`/${className}.node.js`));
	const NodeClass = entry && require(path.join(ROOT, entry))[className];
	const webhook = NodeClass && new NodeClass().description.webhooks?.[0];
	if (!webhook) return undefined;
	return { path: webhook.isFullPath ? webhook.path : `${node.webhookId}/${webhook.path}`, method: webhook.httpMethod ?? 'GET' };
}

/** The flows the examples mark active, each with its trigger node and production webhook { path, method }. */
function triggerFlows(examples) {
	return examples
		.filter(({ workflow }) => workflow.active === true)
		.map((example) => {
			const trigger = example.workflow.nodes.find((node) => webhookOf(node));
			if (!trigger) throw new Failure(`examples/${example.name}.json is marked active but has no webhook trigger`);
			return { ...example, trigger, ...webhookOf(trigger) };
		});
}

function portFromEnv(name, fallback) {
	const value = process.env[name];
	if (value === undefined || value === '') return fallback;
	const port = Number(value);
	if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Failure(`${name} must be a port number, got "${value}"`);
	return port;
}

/**
 * The ports: fixed ones (N8N_PORT 5678, ACTIVATEPRO_PORT 4010, EMAILAPI_PORT 4011, RANKR_PORT 4012, each
 * overridable by its env var) for the demo; free ones for tests, so they never clash with a running demo.
 */
export async function choosePorts({ fixed }) {
	if (!fixed) {
		return { n8n: await freePort(), ...Object.fromEntries(await Promise.all(SANDBOXES.map(async (s) => [s.name, await freePort()]))) };
	}
	const ports = { n8n: portFromEnv('N8N_PORT', 5678) };
	SANDBOXES.forEach((s, i) => {
		ports[s.name] = portFromEnv(s.portEnv, 4010 + i);
	});
	await ensurePortFree(ports.n8n, 'n8n', 'N8N_PORT');
	for (const s of SANDBOXES) await ensurePortFree(ports[s.name], `the ${s.title} sandbox`, s.portEnv);
	return ports;
}

/**
 * n8n with the package, `credentials` (import:credentials format) and `workflowFiles` imported with the CLI,
 * started (`n8n start`) on `port` and its owner set up. `stage(label, work)` times each step. Returns
 * { tmp, userFolder, env, cli, server, rest }.
 */
export async function bootN8n({ runtime, pkg, credentials, workflowFiles, port, owner, stage, say, redact = String, verbose = false, logLevel, extraEnv = {} }) {
	const { tmp, userFolder } = prepareUserFolder(pkg);
	const env = { ...n8nEnvironment(runtime, userFolder, { brokerPort: await freePort(), port, logLevel }), ...extraEnv };
	const cli = n8nCli({ runtime, env, cwd: tmp, say: verbose ? say : () => {}, redact, verbose });
	await stage(`credentials + ${workflowFiles.length} workflows imported`, () => importAll(cli, tmp, { credentials, workflowFiles }));
	const server = await stage(`n8n ${runtime.n8nVersion} started on port ${port}`, () =>
		startN8n({ runtime, env, cwd: tmp, url: `http://localhost:${port}`, logFile: path.join(tmp, 'n8n.log'), say, redact, verbose }),
	);
	try {
		const rest = new N8nRest(server.url);
		await stage('owner account set up', () => rest.setupOwner(owner));
		return { tmp, userFolder, env, cli, server, rest };
	} catch (error) {
		await server.stop();
		throw error;
	}
}

/** Publishes (activates) each workflow with a webhook trigger and waits until n8n serves it; { [workflowId]: url }. */
export async function publish({ rest, serverUrl, workflows, stage }) {
	const hooks = workflows.flatMap((workflow) => {
		const hook = workflow.nodes.map((node) => webhookOf(node)).find(Boolean);
		return hook ? [{ name: workflow.id, method: hook.method, url: `${serverUrl}/${hook.base ?? 'webhook'}/${hook.path}` }] : [];
	});
	await stage(`${hooks.length} trigger flows activated`, async () => {
		for (const hook of hooks) await rest.activate(hook.name);
	});
	await stage('webhooks registered', () => waitForWebhooks(hooks));
	return Object.fromEntries(hooks.map((hook) => [hook.name, hook.url]));
}

/** The contact custom field examples/reengagement.json sets (by its key) to the day re-engagement started. */
export const REENGAGED_FIELD = { name: 'Last Re-engaged', dataType: 'DATE', fieldKey: 'contact.last_re_engaged' };

/** A stage(label, work) that says each finished step with its time. */
export function stageSayer(say, width = 44) {
	return async (label, work) => {
		const started = Date.now();
		const result = await work();
		say(`  ${label.padEnd(width)} ${seconds(Date.now() - started)}`);
		return result;
	};
}

/**
 * Brings everything up and returns the handle: { runtime, userFolder, sandboxes, server, rest, owner, flows,
 * url(flowName), editorUrl, archive { projectId, id }, dashboard { login, url(email), authorization }, mcp { url, token },
 * secrets, redact, outputs(), stop() }. `say` gets one line per stage with its time.
 */
export async function startStack({ say, verbose = false, ports, owner = DEFAULT_OWNER, rankrRetryIntervalMs = 3000, rankrRetryJitterMs = 1000 }) {
	const stage = stageSayer(say);
	const pkg = builtPackage();
	const examples = exampleWorkflows();
	const refs = exampleCredentialRefs(examples);
	const flows = triggerFlows(examples);

	const runtime = await stage('n8n installed (cached in ~/.cache)', () => installN8n());

	// Keys made for this run: if one shows up in n8n's output or files, it leaked from a credential.
	const keys = {
		activatepro: `ap-run-${randomBytes(12).toString('hex')}`,
		emailapi: `pit-run-${randomBytes(12).toString('hex')}`,
	};
	// The status dashboard answers only with its login (HTTP Basic Auth on n8n's Webhook node), made per run.
	const dashboardLogin = {
		user: process.env.RANKR_DASHBOARD_USER || 'dashboard',
		password: process.env.RANKR_DASHBOARD_PASSWORD || `dash-${randomBytes(9).toString('base64url')}`,
	};
	// MCP clients of the agent-tools flow present this bearer token (made per run unless RANKR_MCP_TOKEN is set).
	const mcpToken = process.env.RANKR_MCP_TOKEN || `mcp-${randomBytes(18).toString('base64url')}`;
	// The bulk sync's page webhook answers only with this key (Header Auth, credential "Bulk sync page key").
	const syncPageKey = process.env.RANKR_SYNC_PAGE_KEY || newPageKey();
	const secrets = [...Object.values(keys), dashboardLogin.password, mcpToken, syncPageKey];
	const redact = redactor(secrets);

	const sandboxes = await stage('sandboxes listening', () =>
		startSandboxes([
			{ name: 'activatepro', apiKey: keys.activatepro, port: ports.activatepro },
			{ name: 'emailapi', apiKey: keys.emailapi, port: ports.emailapi },
			{ name: 'rankr', port: ports.rankr, options: { retryIntervalMs: rankrRetryIntervalMs, retryJitterMs: rankrRetryJitterMs } },
		]),
	);
	// The account the examples expect (docs/workflows.md, after-import checklist): the re-engagement flow's contact
	// custom field. The sandbox already has the "Welcome" and "Re-engagement" workflows.
	sandboxes.emailapi.sandbox.defineCustomFields({ fields: [REENGAGED_FIELD] });
	let n8n;
	let stopping;
	const stop = () => {
		stopping ??= (async () => {
			await n8n?.server.stop();
			await closeSandboxes(sandboxes);
		})();
		return stopping;
	};
	onShutdown(stop);

	try {
		const credentials = [
			...sandboxCredentials(sandboxes, refs),
			...(refs.httpBasicAuth ? [{ ...refs.httpBasicAuth, type: 'httpBasicAuth', data: dashboardLogin }] : []),
			...(refs.httpBearerAuth ? [{ ...refs.httpBearerAuth, type: 'httpBearerAuth', data: { token: mcpToken } }] : []),
			...(refs.httpHeaderAuth ? [pageKeyCredential(refs, syncPageKey)] : []),
			// The bulk sync's users database: the demo runs no PostgreSQL, so the credential is there to be filled in
			// (npm run bench:scale and the queue suite run the sync against a real one).
			...(refs.postgres ? [{ ...refs.postgres, type: 'postgres', data: { host: '127.0.0.1', port: 5432, database: 'app', user: 'postgres', password: '', ssl: 'disable' } }] : []),
		];
		n8n = await bootN8n({ runtime, pkg, credentials, workflowFiles: examples.map((e) => e.file), port: ports.n8n, owner, stage, say, redact, verbose });
		const { server, rest } = n8n;
		const archive = await stage('data table for the deletion record', () => createArchiveTable(rest, examples));
		const urls = await publish({ rest, serverUrl: server.url, workflows: flows.map((f) => f.workflow), stage });
		const url = (name) => {
			const flow = flows.find((f) => f.name === name);
			if (!flow) throw new Failure(`no active example flow "${name}" (active: ${flows.map((f) => f.name).join(', ')})`);
			return urls[flow.workflow.id];
		};

		const handle = {
			runtime,
			...n8n, // tmp, userFolder, env, cli, server, rest
			sandboxes,
			rankr: sandboxes.rankr.sandbox,
			activatepro: sandboxes.activatepro.sandbox,
			emailapi: sandboxes.emailapi.sandbox,
			owner,
			examples,
			flows,
			url,
			editorUrl: server.url,
			archive,
			dashboard: {
				login: dashboardLogin,
				url: (email) => `${url('status-dashboard')}?email=${encodeURIComponent(email)}`,
				authorization: `Basic ${Buffer.from(`${dashboardLogin.user}:${dashboardLogin.password}`).toString('base64')}`,
			},
			mcp: { url: url('agent-tools'), token: mcpToken },
			secrets,
			redact,
			outputs: () => [...n8n.cli.outputs, ...servers.map((s) => s.output())],
			stop,
			/**
			 * Stops n8n as `docker stop` does (SIGTERM: it finishes its running executions and exits), waits `gapMs`,
			 * starts it again on the same port and database; resolves once it answers again (its webhooks may take
			 * a few seconds more). `server` is then the new process.
			 */
			restart: async ({ gapMs = 0 } = {}) => {
				const stopping = Date.now();
				await n8n.server.terminate();
				handle.lastStopMs = Date.now() - stopping;
				await sleep(gapMs);
				const logFile = path.join(n8n.tmp, `n8n-${servers.length + 1}.log`);
				n8n.server = await startN8n({ runtime, env: n8n.env, cwd: n8n.tmp, url: n8n.server.url, logFile, say, redact, verbose });
				servers.push(n8n.server);
				handle.server = n8n.server;
				return n8n.server;
			},
		};
		const servers = [server];
		return handle;
	} catch (error) {
		await stop();
		throw error;
	}
}

/**
 * Waits until n8n serves every webhook ({ name, method, url }). The probe is a CORS preflight (OPTIONS with an
 * Origin): n8n answers it from its webhook registry, listing the methods registered for the path, without
 * running anything.
 */
export async function waitForWebhooks(hooks, timeoutMs = 30_000) {
	const missing = new Set(hooks);
	await waitFor(
		async () => {
			for (const hook of [...missing]) {
				const response = await fetch(hook.url, {
					method: 'OPTIONS',
					headers: { origin: 'http://localhost', 'access-control-request-method': hook.method },
					signal: AbortSignal.timeout(2000),
				}).catch(() => undefined); // not yet
				if (response?.status < 300 && (response.headers.get('access-control-allow-methods') ?? '').includes(hook.method)) missing.delete(hook);
			}
			return missing.size === 0;
		},
		{ timeoutMs, intervalMs: 250 },
	);
	if (missing.size) throw new Failure(`n8n did not register the webhooks of ${[...missing].map((h) => h.name).join(', ')} within ${timeoutMs / 1000} s`);
}
