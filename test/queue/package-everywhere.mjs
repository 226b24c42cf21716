// Queue-mode scenario e (the package on every n8n process: without it fail, installed run); run by queue.e2e.mjs.
import path from 'node:path';

import { installPackageInto } from '../../scripts/lib/n8n.mjs';
import { seconds, sleep, temporaryFolder } from '../../scripts/lib/proc.mjs';
import { executionIds, problemOf, signUp } from './queue-stack.mjs';

// ---------- e. the package on every process ----------

/** The text of the first log line of `proc` that matches `pattern`, shortened; '' when none does. */
function firstLogLine(proc, pattern) {
	const line = proc.lines().find((l) => pattern.test(l.message));
	return line ? line.message.split('\n')[0].slice(0, 200) : '';
}

export async function packageOnEveryProcess(stack, checks) {
	checks.section('e. the package on every n8n process: a webhook process and a worker without it, then with it');
	const t = Date.now();
	const bare = temporaryFolder('n8n-nodes-rankr-bare-');
	const { workflow } = stack.workflows.signup;
	const userNamed = (name) => ({ id: `rk_queue_${name}`, email: `${name}.queue@example.com`, firstName: name, lastName: 'Queue' });

	// e1. A webhook process whose user folder lacks the package (same DB, Redis, key): the signup webhook.
	const bareWebhook = await stack.start('webhook', { home: path.join(bare, 'webhook-home'), name: 'webhook-without-package' });
	const before1 = await executionIds(stack, workflow.id);
	const delivery1 = await stack.rankr.deliver(stack.url('signup', bareWebhook), stack.rankr.event('UserCreate', userNamed('nowebhookpkg')), { retries: 0 });
	const answer1 = delivery1.attempts.at(-1);
	await sleep(2000);
	const new1 = [...(await executionIds(stack, workflow.id))].filter((id) => !before1.has(id));
	const said1 = firstLogLine(bareWebhook, /Unrecognized node type|n8n-nodes-rankr|not installed|not known/i);
	checks.check(!delivery1.delivered && new1.length === 0, `without the package the webhook process refuses the delivery (${answer1.status} ${answer1.body.slice(0, 80)}) and starts nothing`, `${answer1.status} ${answer1.body}; ${new1.length} executions`);
	bareWebhook.endedOnPurpose = true;
	await bareWebhook.stop();

	// e2. Only a worker without the package is left to take the job.
	for (const w of stack.workers().filter((p) => !p.hasExited())) {
		w.endedOnPurpose = true;
		await w.stop();
	}
	const workerHome = path.join(bare, 'worker-home');
	const bareWorker = await stack.start('worker', { home: workerHome, name: 'worker-without-package' });
	const { delivery: delivery2, executions: [failed], where: where2 } = await signUp(stack, userNamed('noworkerpkg'));
	const said2 = failed ? problemOf(failed) || firstLogLine(bareWorker, /Unrecognized node type|n8n-nodes-rankr/) : '';
	checks.check(
		delivery2.delivered && failed && failed.status !== 'success' && !stack.activatepro.users.get('rk_queue_noworkerpkg'),
		`a worker without the package fails the execution (#${failed?.id} ${failed?.status ?? 'none within 60 s'} on ${where2.ranOn.join(', ') || '?'}: ${said2.slice(0, 120) || 'no message'}); nothing reached ActivatePro`,
		JSON.stringify({ delivered: delivery2.delivered, status: failed?.status, problem: said2 }),
	);

	// e3. Install the package into that worker's user folder, restart it: the next signup runs.
	const installedAt = installPackageInto(workerHome, stack.pkg);
	bareWorker.endedOnPurpose = true;
	await bareWorker.stop();
	const fixed = await stack.start('worker', { home: workerHome, name: 'worker-package-installed' });
	const user3 = userNamed('workerpkg');
	const { delivery: delivery3, executions: [ok3], where: where3 } = await signUp(stack, user3);
	const welcome3 = stack.emailapi.emailsSent.filter((e) => e.to.toLowerCase() === user3.email);
	checks.check(
		delivery3.delivered && ok3?.status === 'success' && where3.ranOn.includes(fixed.name) && stack.activatepro.users.get(user3.id) && welcome3.length === 1,
		`after copying the package into ${path.relative(bare, installedAt)} and restarting, the worker runs the signup (#${ok3?.id} ${ok3?.status} on ${where3.ranOn.join(', ') || '?'}; profile + 1 welcome email)`,
		problemOf(ok3) || JSON.stringify({ status: ok3?.status, ranOn: where3.ranOn, welcome: welcome3.length }),
	);
	checks.print();
	checks.result('e', 'the package is needed on the webhook process and on every worker', checks.sectionPassed, `webhook without it: ${answer1.status}${said1 ? ` ("${said1.slice(0, 80)}")` : ''}; worker without it: #${failed?.id} ${failed?.status} ("${said2.slice(0, 80)}"); installed + restarted: #${ok3?.id} ${ok3?.status}; ${seconds(Date.now() - t)}`);
}
