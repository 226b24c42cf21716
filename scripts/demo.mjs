#!/usr/bin/env node
// npm start: the whole integration running on this machine, offline, on loopback only.
//   - the three local APIs: ActivatePro, the Email API and Rankr (which signs and delivers webhook events)
//   - a real n8n (pinned, installed once into ~/.cache) with this package installed as a community package,
//     the sandbox credentials and every example workflow imported, the trigger flows active, an owner account
//   - a short story, played through the webhooks: Ada signs up, drops out of the top 10, goes inactive, Rankr
//     redelivers her signup, she deletes her account; Grace signs up. After each step: what each system holds.
//   - a restart: signups keep arriving through nginx (examples/proxy/nginx-regular.conf) while n8n is stopped
//     and started again; Rankr retries what the proxy answered 429, and every signup gets one welcome email.
// Then it prints the status dashboard, the MCP address of the agent tools, the editor's address and login, and
// keeps running until Ctrl-C.
// Ports: N8N_PORT (5678), ACTIVATEPRO_PORT (4010), EMAILAPI_PORT (4011), RANKR_PORT (4012).
// It builds nothing (npm start runs `npm run build` first).
import { freePort } from './lib/n8n.mjs';
import { Failure, isShuttingDown, seconds, shutdown } from './lib/proc.mjs';
import { startProxy } from './lib/proxy.mjs';
import { streamThroughRestart, welcomeEmails } from './lib/restart-stream.mjs';
import { choosePorts, DEFAULT_OWNER, startStack } from './lib/stack.mjs';
import { describeArchive, describeStep, playStep, STEPS, USERS, userState } from './lib/story.mjs';
import { parseFlags } from './lib/suite.mjs';

const USAGE = `usage: npm start [-- --once] [--verbose] [--keep]
  --once     stop after the story instead of waiting for Ctrl-C
  --verbose  stream n8n's log
  --keep     keep the temporary n8n user folder at exit
  ports: N8N_PORT (5678), ACTIVATEPRO_PORT (4010), EMAILAPI_PORT (4011), RANKR_PORT (4012)
  login: N8N_DEMO_EMAIL, N8N_DEMO_PASSWORD (default ${DEFAULT_OWNER.email} / ${DEFAULT_OWNER.password})
  dashboard login: RANKR_DASHBOARD_USER, RANKR_DASHBOARD_PASSWORD (default dashboard / a new one each run)
  MCP bearer token: RANKR_MCP_TOKEN (default: a new one each run)
  bulk sync page key (Header Auth "X-Rankr-Sync-Key"): RANKR_SYNC_PAGE_KEY (default: a new one each run)`;

async function main() {
	const args = parseFlags(USAGE, { once: { type: 'boolean', default: false } });
	const say = (text = '') => console.log(text);
	const started = Date.now();
	const owner = { ...DEFAULT_OWNER, email: process.env.N8N_DEMO_EMAIL || DEFAULT_OWNER.email, password: process.env.N8N_DEMO_PASSWORD || DEFAULT_OWNER.password };

	say('Rankr ↔ ActivatePro ↔ Email API in a real n8n, on this machine (loopback only)');
	const ports = await choosePorts({ fixed: true });
	// Rankr retries after a 429 about every 10 minutes; here every 5 s, so the restart below resolves in seconds.
	const stack = await startStack({ say, verbose: args.verbose, ports, owner, rankrRetryIntervalMs: 5000 });
	say(`  ready in ${seconds(Date.now() - started)}`);
	say();
	for (const { definition, sandbox } of Object.values(stack.sandboxes)) say(`  ${definition.title.padEnd(44)} ${sandbox.url}`);
	say(`  ${'n8n editor'.padEnd(44)} ${stack.editorUrl}`);
	say();

	const earlier = {};
	const storyStarted = Date.now();
	for (const [i, step] of STEPS.entries()) {
		const result = await playStep(stack, step, earlier);
		for (const line of describeStep(result, userState(stack, step.user), i + 1, STEPS.length)) say(stack.redact(line));
		if (step.flow === 'deletion') for (const line of await describeArchive(stack, step.user)) say(stack.redact(line));
		say(`  (${seconds(result.ms)})`);
		say();
	}
	const emails = stack.emailapi.emailsSent;
	say(`Story played in ${seconds(Date.now() - storyStarted)}; ${emails.length} emails sent in all: ${emails.map((e) => `${e.workflowName} → ${e.to}`).join(', ')}`);
	say();
	await restartWhileSignupsArrive(stack, say);
	const { login } = stack.dashboard;
	say('Status dashboard (a live n8n workflow: Rankr, ActivatePro and the Email API side by side; HTTP Basic Auth:');
	say(`your browser asks for the login, user "${login.user}", password "${login.password}"):`);
	say(`  ${stack.dashboard.url(USERS.grace.email)}`);
	say(`  ${stack.dashboard.url(USERS.ada.email)}   (deleted: when, by which event, what was removed)`);
	say(`  or: curl -u '${login.user}:${login.password}' '${stack.dashboard.url(USERS.grace.email)}'`);
	say('AI agent tools (examples/agent-tools.json: find, create or update, enrol, remove, delete), for any MCP client');
	say(`over Streamable HTTP: ${stack.mcp.url}   header  Authorization: Bearer ${stack.mcp.token}`);
	say(`  e.g. Claude Desktop, through mcp-remote: npx -y mcp-remote ${stack.mcp.url} --header 'Authorization: Bearer ${stack.mcp.token}'`);
	say(`n8n editor: ${stack.editorUrl}   login ${owner.email} / ${owner.password}`);
	say('  every example is there; the trigger flows are published and their executions are listed under "Executions".');
	say(`Send your own events: curl -X POST ${stack.rankr.url}/emit -H 'content-type: application/json' \\`);
	say(`  -d '{"url":"${stack.url('signup')}","type":"UserCreate","user":{"id":"rk_you","email":"you@example.com","firstName":"You"}}'`);
	say(`Everything up in ${seconds(Date.now() - started)}.`);

	if (args.once) {
		await stack.stop();
		return 0;
	}
	say('Ctrl-C to stop n8n and the sandboxes.');
	const exit = await stack.server.child.exited; // n8n runs until Ctrl-C (the signal handler stops everything)
	if (isShuttingDown()) return new Promise(() => {}); // Ctrl-C: shutdown() exits when all is stopped
	say(`n8n stopped on its own (exit ${exit.code ?? exit.signal}); see ${stack.tmp}/n8n.log with --keep`);
	await stack.stop();
	return 1;
}

/**
 * Rankr retries a delivery only when it is answered 429. Signups stream through nginx running the proxy recipe
 * while n8n restarts: what n8n cannot take meanwhile is answered 429 by nginx and arrives on Rankr's retry.
 */
async function restartWhileSignupsArrive(stack, say) {
	say('Restart: 20 Rankr signups arrive, one a second, through nginx (examples/proxy/nginx-regular.conf), while n8n');
	say('is stopped and started again. Rankr retries only what is answered 429 (every 5 s here, every ~10 minutes for real).');
	let proxy;
	try {
		proxy = await startProxy('regular', { port: await freePort(), mainPort: Number(new URL(stack.server.url).port) });
	} catch (error) {
		say(`  skipped: nginx could not be started here (${error instanceof Failure ? error.message.split('\n')[0] : error.message})`);
		say('  (scripts/install-nginx.sh installs it with apt-get, which needs root or sudo)');
		say();
		return;
	}
	try {
		const started = Date.now();
		const result = await streamThroughRestart(stack, {
			url: `${proxy.url}${new URL(stack.url('signup')).pathname}`,
			count: 20,
			rate: 1,
			prefix: 'restart-demo',
			restartAfterMs: 5000,
			restart: () => stack.restart({ gapMs: 2000 }),
			runsOf: welcomeEmails,
			say,
		});
		const turned = proxy.answers().filter((a) => a.status === 429).length;
		say(`  ${result.count} signups: ${result.ran} got their welcome email, ${result.lost} lost, ${result.doubled} emailed twice`);
		say(`  nginx answered ${turned} attempts 429 while n8n could not take them; ${result.retried} signups arrived on Rankr's retry`);
		say(`  (${seconds(Date.now() - started)}; without the proxy those ${result.retried} signups would be lost: see docs/reliability.md)`);
		if (result.lost || result.doubled) throw new Failure(`the restart lost ${result.lost} and doubled ${result.doubled} of ${result.count} signups`);
	} finally {
		await proxy.stop();
	}
	say();
}

main().then(
	(code) => shutdown(code),
	(error) => {
		if (error instanceof Failure) console.error(`\ndemo: ${error.message}`);
		else console.error(`\ndemo: unexpected error\n${error.stack ?? error}`);
		return shutdown(1);
	},
);
