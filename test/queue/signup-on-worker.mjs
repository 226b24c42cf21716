// Queue-mode scenario a (a signed signup webhook runs on a worker); run by test/queue/queue.e2e.mjs.
// a. A signed Rankr signup webhook, sent to the webhook process, runs on a worker to success; the sandboxes hold
// the profile, the Email API user and one welcome email.
import { seconds } from '../../scripts/lib/proc.mjs';
import { executionsStartedBy } from '../../scripts/lib/queue-mode.mjs';
import { problemOf, signUp } from './queue-stack.mjs';

// ---------- a. the signup flow on a worker ----------

export async function signupOnWorker(stack, checks) {
	checks.section('a. signup webhook → webhook process → queue → worker');
	const t = Date.now();
	const user = { id: 'rk_queue_ada', email: 'ada.queue@example.com', firstName: 'Ada', lastName: 'Lovelace' };
	const { delivery, executions: [execution, ...more], where } = await signUp(stack, user);
	const last = delivery.attempts.at(-1);
	checks.check(delivery.delivered && delivery.attempts.length === 1, `the webhook process acknowledged the signed delivery at once (${last.status})`, JSON.stringify(delivery.attempts));
	checks.check(execution && more.length === 0, 'exactly one execution started', `${execution ? 1 + more.length : 0} executions`);
	checks.check(execution?.status === 'success', `it finished with success (#${execution?.id}, ${execution?.status})`, problemOf(execution));
	checks.check(where.enqueuedBy.length === 1 && where.enqueuedBy[0] === 'webhook', `the webhook process enqueued it ("Enqueued execution ${execution?.id}")`, `enqueued by: ${where.enqueuedBy.join(', ') || 'nobody'}`);
	checks.check(where.ranOn.length === 1 && where.ranOn[0].startsWith('worker'), `a worker ran it: ${where.ranOn.join(', ') || 'none'} logged "Worker started execution ${execution?.id}"`, `ran on: ${where.ranOn.join(', ') || 'none'}`);
	const mainRan = executionsStartedBy(stack.main).length + executionsStartedBy(stack.webhook).length;
	checks.check(mainRan === 0, 'main and the webhook process ran no execution themselves', `${mainRan}`);

	const profile = stack.activatepro.users.get(user.id);
	const emailUsers = [...stack.emailapi.users.values()].filter((u) => u.email.toLowerCase() === user.email);
	const welcome = stack.emailapi.emailsSent.filter((e) => e.to.toLowerCase() === user.email);
	checks.check(profile?.email === user.email && profile.firstName === 'Ada' && profile.emailApiUserId === emailUsers[0]?.id, 'ActivatePro holds the profile, linked to the Email API user', JSON.stringify(profile));
	checks.check(emailUsers.length === 1 && !emailUsers[0].deleted, 'the Email API holds exactly one user', `${emailUsers.length} users`);
	checks.check(welcome.length === 1 && welcome[0].workflowName === 'Welcome', 'exactly one email: the welcome', welcome.map((e) => e.workflowName).join(', ') || 'none');
	checks.print();
	checks.result('a', 'signup via webhook process runs on a worker', checks.sectionPassed, `#${execution?.id} ${execution?.status} on ${where.ranOn.join(',') || '?'} (enqueued by ${where.enqueuedBy.join(',') || '?'}); profile ${profile ? 1 : 0}, Email API users ${emailUsers.length}, welcome emails ${welcome.length}; ${seconds(Date.now() - t)}`);
}
