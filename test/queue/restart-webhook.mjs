// Queue-mode scenario r (restart of the webhook process); run by test/queue/queue.e2e.mjs.
// r. Rankr streams signed signups through the proxy (examples/proxy/nginx-queue.conf) to the webhook process
// while that process is stopped (SIGTERM, as `docker stop`) and started again mid-stream; the de-dup flow
// (trigger → "Skip redeliveries" → ActivatePro upsert) runs on the workers. Every signup must run exactly once:
// what the process could not take was answered 429 by the proxy and taken on Rankr's retry. Then the same
// stream and restart straight to the webhook process: what is lost without the proxy (shown, not required).
import { sleep } from '../../scripts/lib/proc.mjs';
import { describeStream, streamThroughRestart } from '../../scripts/lib/restart-stream.mjs';
import { waitForWebhooks } from '../../scripts/lib/stack.mjs';

export async function restartWebhookProcess(stack, checks, { restartEvents, restartRate }) {
	checks.section(`r. the webhook process restarted while ${restartEvents} signups arrive at ${restartRate}/s, through the proxy`);
	let restarts = 0;
	const restart = async () => {
		const old = stack.webhook;
		old.endedOnPurpose = true;
		await old.terminate();
		await sleep(3000);
		stack.webhook = await stack.start('webhook', { port: stack.webhookPort, name: `webhook-${++restarts + 1}` });
		await waitForWebhooks([{ name: 'dedupe', method: 'POST', url: stack.url('dedupe', stack.webhook) }], 60_000);
	};
	const stream = (url, prefix) =>
		streamThroughRestart(stack, { url, count: restartEvents, rate: restartRate, prefix, restartAfterMs: Math.round((restartEvents / restartRate) * 333), restart, say: checks.say });
	// Rankr's ~10 minutes between retries shrunk to 20 s + up to 20 s of jitter (test/restart/restart.e2e.mjs
	// says why not less); the other scenarios keep their 3 s.
	const schedule = { retryIntervalMs: stack.rankr.retryIntervalMs, retryJitterMs: stack.rankr.retryJitterMs };
	Object.assign(stack.rankr, { retryIntervalMs: 20_000, retryJitterMs: 20_000 });
	try {
		await throughTheProxyAndNot(stack, checks, stream);
	} finally {
		Object.assign(stack.rankr, schedule);
	}
}

async function throughTheProxyAndNot(stack, checks, stream) {
	const earlier = stack.proxy.answers().length; // the other scenarios' requests
	const result = await stream(stack.url('dedupe'), 'rq');
	checks.say(`  ${describeStream(result)}`);
	checks.check(result.lost === 0, `no signup lost (${result.ran} of ${result.count} ran)`, JSON.stringify(result));
	checks.check(result.doubled === 0, 'none ran twice (one pass past "Skip redeliveries" per user)', JSON.stringify(result));
	const upstream = {};
	for (const a of stack.proxy.answers().slice(earlier).filter((x) => x.status === 429)) upstream[a.upstream] = (upstream[a.upstream] ?? 0) + 1;
	checks.check(result.retried > 0, `the restart was felt: ${result.retried} deliveries were answered 429 by the proxy and taken on Rankr's retry (upstream answers: ${JSON.stringify(upstream)})`, JSON.stringify(result.firstAnswers));
	checks.result('r', 'webhook process restarted mid-stream, through the proxy: 0 lost, 0 doubled', result.lost === 0 && result.doubled === 0, describeStream(result));
	checks.print();

	checks.section('r0. the same restart straight to the webhook process (the loss the proxy prevents; not a requirement)');
	// The port stays the same across the restart, so this URL reaches the new process too.
	const direct = await stream(stack.url('dedupe', stack.webhook), 'rq-direct');
	checks.say(`  ${describeStream(direct)}`);
	checks.check(direct.doubled === 0, 'none ran twice without the proxy either', JSON.stringify(direct));
	checks.result('r0', 'the same restart straight to the webhook process', direct.doubled === 0, describeStream(direct));
	checks.print();
}
