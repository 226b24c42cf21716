// Harness: the reverse-proxy recipe of examples/proxy/ running in a real nginx; for the demo, test/restart, test/queue.
// Starts nginx with examples/proxy/nginx-regular.conf or nginx-queue.conf as a user would install it, changed
// only where a user changes it: the listen address and the n8n processes in its upstreams. Everything nginx
// writes (pid, logs, temporary bodies) stays in a temporary folder; one access-log line per request
// ("status upstream-status uri"), so a test can count what the proxy turned into 429s.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { ROOT } from './n8n.mjs';
import { Failure, startProcess, stopChild, temporaryFolder, waitFor } from './proc.mjs';
import { installNginx } from './queue-mode.mjs';

export const RECIPES = {
	regular: path.join(ROOT, 'examples', 'proxy', 'nginx-regular.conf'),
	queue: path.join(ROOT, 'examples', 'proxy', 'nginx-queue.conf'),
};

/** `text` with `from` replaced by `to`, which must occur exactly once (the recipe changed otherwise). */
function replaceOnce(text, from, to, recipe) {
	const at = text.indexOf(from);
	if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Failure(`${path.relative(ROOT, recipe)}: expected "${from}" exactly once`);
	return text.slice(0, at) + to + text.slice(at + from.length);
}

/** The recipe's text as a user deploys it: listening on `port`, its upstreams pointing at our n8n processes. */
export function recipeFor(kind, { port, mainPort, webhookPorts = [] }) {
	const recipe = RECIPES[kind];
	let text = fs.readFileSync(recipe, 'utf8');
	text = replaceOnce(text, 'listen 80;', `listen 127.0.0.1:${port};`, recipe);
	text = replaceOnce(text, 'server 127.0.0.1:5678;', `server 127.0.0.1:${mainPort};`, recipe);
	if (kind === 'queue') {
		if (!webhookPorts.length) throw new Failure('the queue-mode proxy needs the webhook processes\' ports');
		text = replaceOnce(text, 'server 127.0.0.1:5679;', webhookPorts.map((p) => `server 127.0.0.1:${p};`).join('\n\t'), recipe);
	}
	return text;
}

const portOpen = (port) =>
	new Promise((resolve) => {
		const socket = net.connect({ host: '127.0.0.1', port }, () => {
			socket.destroy();
			resolve(true);
		});
		socket.on('error', () => resolve(false));
	});

/**
 * nginx running the recipe `kind` ('regular' | 'queue') on 127.0.0.1:`port` in front of n8n on `mainPort`
 * (and, in queue mode, the webhook processes on `webhookPorts`). Returns { url, port, dir, accessLog(),
 * answers(): [{ status, upstream, uri }], stop() }.
 */
export async function startProxy(kind, { port, mainPort, webhookPorts }) {
	const nginx = await installNginx();
	const dir = temporaryFolder('n8n-nodes-rankr-nginx-');
	for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) fs.mkdirSync(path.join(dir, sub));
	fs.writeFileSync(path.join(dir, 'recipe.conf'), recipeFor(kind, { port, mainPort, webhookPorts }));
	const accessLog = path.join(dir, 'access.log');
	const conf = [
		'daemon off;',
		'worker_processes 1;',
		// As root nginx would run its worker as "nobody", which cannot write into our temporary folder.
		...(process.getuid?.() === 0 ? ['user root;'] : []),
		`pid ${path.join(dir, 'nginx.pid')};`,
		`error_log ${path.join(dir, 'error.log')} warn;`,
		'events { worker_connections 4096; }',
		'http {',
		"\tlog_format rankr '$status $upstream_status $request_uri';",
		`\taccess_log ${accessLog} rankr;`,
		...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `\t${t}_temp_path ${path.join(dir, t === 'client_body' ? 'body' : t)};`),
		`\tinclude ${path.join(dir, 'recipe.conf')};`,
		'}',
	].join('\n');
	fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
	let output = '';
	const child = startProcess(nginx, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')], {
		env: { PATH: process.env.PATH ?? '' },
		cwd: dir,
		onStdout: (c) => (output += c),
		onStderr: (c) => (output += c),
	});
	let exited;
	void child.exited.then((r) => (exited = r));
	const state = await waitFor(async () => (exited ? 'exited' : (await portOpen(port)) && 'ready'), { timeoutMs: 15_000, intervalMs: 100 });
	if (state !== 'ready') {
		await stopChild(child);
		const errors = fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : '';
		throw new Failure(`nginx ${state === 'exited' ? 'exited' : 'did not listen within 15 s'}: ${output}${errors}`.slice(0, 3000));
	}
	const answers = () =>
		(fs.existsSync(accessLog) ? fs.readFileSync(accessLog, 'utf8') : '')
			.split('\n')
			.filter(Boolean)
			.map((line) => {
				const [status, upstream, uri] = line.split(' ');
				return { status: Number(status), upstream, uri };
			});
	return { url: `http://127.0.0.1:${port}`, port, dir, answers, stop: () => stopChild(child) };
}
