#!/usr/bin/env node
// npm run sandbox: the local API sandboxes on fixed ports until Ctrl-C, for an n8n you run yourself.
//   npm run sandbox [-- --port 4010 --host 127.0.0.1 --quiet]
// Starts the local API sandboxes on fixed ports and keeps them up until Ctrl-C, so an n8n you run yourself
// (e.g. `npx n8n`, with this package linked into ~/.n8n/nodes) can call them: it prints, for each one, the
// values to enter in the n8n credential. Every request is printed as it arrives (unless --quiet).
// Each sandbox also answers control requests under /__sandbox/ (see scripts/sandbox/sandbox-server.js), e.g.
//   curl localhost:4010/__sandbox/state
//   curl -X POST localhost:4010/__sandbox/faults -d '{"route":"PUT /users","kind":"status","status":503,"times":2}'
import { parseArgs } from 'node:util';

import { SANDBOXES } from './lib/sandboxes.mjs';

const USAGE = `usage: npm run sandbox [-- --port <base> --host <host> --quiet]
  --port   base port (default 4010): sandbox n listens on base + n, in this order:
           ${SANDBOXES.map((s, i) => `${s.name} (+${i}, or env ${s.portEnv})`).join(', ')}
  --host   address to listen on (default 127.0.0.1; 0.0.0.0 to reach it from a container)
  --quiet  do not print each request
  keys: ${SANDBOXES.filter((s) => s.keyEnv).map((s) => `env ${s.keyEnv} (default ${s.defaultKey})`).join(', ')}`;

let args;
try {
	args = parseArgs({
		options: {
			port: { type: 'string', default: process.env.SANDBOX_PORT ?? '4010' },
			host: { type: 'string', default: '127.0.0.1' },
			quiet: { type: 'boolean', default: false },
			help: { type: 'boolean', short: 'h', default: false },
		},
	}).values;
} catch (error) {
	console.error(`${error.message}\n${USAGE}`);
	process.exit(2);
}
if (args.help) {
	console.log(USAGE);
	process.exit(0);
}

const basePort = Number(args.port);
if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65535 - SANDBOXES.length) {
	console.error(`--port must be a port number, got "${args.port}"\n${USAGE}`);
	process.exit(2);
}

const running = [];

async function stop(code) {
	await Promise.allSettled(running.map(({ sandbox }) => sandbox.close()));
	process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

for (const [index, definition] of SANDBOXES.entries()) {
	const port = Number(process.env[definition.portEnv] ?? basePort + index);
	const sandbox = definition.create({ apiKey: definition.keyEnv ? process.env[definition.keyEnv] ?? definition.defaultKey : undefined });
	try {
		await sandbox.listen(port, args.host);
	} catch (error) {
		console.error(`${definition.title} sandbox: cannot listen on ${args.host}:${port}: ${error.message}`);
		console.error(`Choose another port with --port or ${definition.portEnv}.`);
		await stop(1);
	}
	running.push({ definition, sandbox });
	if (!args.quiet) {
		sandbox.on('request', (entry) => {
			const time = new Date().toISOString().slice(11, 19);
			console.log(`${time} ${definition.name.padEnd(12)} ${entry.method} ${entry.rawPath} -> ${entry.status ?? 'connection dropped'}`);
		});
	}
}

for (const { definition, sandbox } of running) {
	const { labels } = definition.credential;
	const fields = Object.entries(definition.credential.data(sandbox)).map(([name, value]) => [labels[name] ?? name, value]);
	const width = Math.max(...fields.map(([name]) => name.length));
	console.log(`${definition.title} sandbox: ${sandbox.url}`);
	console.log(`  n8n credential "${definition.credential.displayName}" (${definition.credential.type}):`);
	for (const [name, value] of fields) {
		const [first, ...rest] = String(value).trimEnd().split('\n'); // a PEM key spans lines
		console.log(`    ${name.padEnd(width)}  ${first}`);
		for (const line of rest) console.log(`    ${''.padEnd(width)}  ${line}`);
	}
	console.log(`  control: GET ${sandbox.url}/__sandbox/state | /__sandbox/requests, POST /__sandbox/reset | /__sandbox/faults`);
	if (definition.name === 'rankr') {
		console.log(`  send an event: curl -X POST ${sandbox.url}/emit -d '{"url":"<webhook URL>","type":"UserCreate","user":{"id":"u1","email":"ada@example.com"}}'`);
	}
	console.log('');
}
console.log(`Ctrl-C to stop.${args.quiet ? '' : ' Requests:'}`);
