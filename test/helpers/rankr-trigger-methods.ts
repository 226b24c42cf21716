// Test helper: the Rankr Trigger's credential test and activation check, called on the built node (version 1) the
// way n8n calls them: the credential tester with the credential's data, checkExists when a workflow is activated.
import { nodeType } from '../../scripts/engine/engine-runner';

const triggerV1 = () => nodeType('n8n-nodes-rankr.rankrTrigger', 1);

/** What the credential test (testedBy rankrWebhookApiTest) answers for this credential data. */
export const credentialTest = (data: object) =>
	triggerV1().methods!.credentialTest!.rankrWebhookApiTest.call({} as never, { id: 'c', name: 'c', type: 'rankrWebhookApi', data } as never);

/** checkExists as n8n calls it at activation; resolves with what it logged at warn, rejects as activation fails. */
export async function activate(data: object): Promise<string[]> {
	const warnings: string[] = [];
	const context = { getCredentials: async () => data, getNode: () => ({ name: 'Rankr Trigger' }), getWorkflow: () => ({ id: 'wf' }), logger: { warn: (m: string) => warnings.push(m) } };
	await triggerV1().webhookMethods!.default!.checkExists.call(context as never);
	return warnings;
}
