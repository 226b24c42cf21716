// Jest (unit): the tool descriptions n8n makes from our nodes for AI agents, one sentence per operation.
// What a model reads about a tool made from our nodes when the builder leaves n8n's "Tool Description" on
// "Set Automatically": n8n builds it from the node's resource and operation (NodeHelpers.makeDescription,
// the function n8n's tool creation calls). Every operation must get its own sentence, not the node's blurb.
// The descriptions are the built package's (dist/, through the engine runner's loading), at version 1.
import { NodeHelpers, type INodeProperties, type INodePropertyOptions, type INodeTypeDescription } from 'n8n-workflow';

import { nodeType } from '../../scripts/engine/engine-runner';

/** Each resource and operation the node offers, with the action text it declares. */
function operationsOf(description: INodeTypeDescription) {
	const resources = (description.properties.find((p) => p.name === 'resource')?.options ?? []) as INodePropertyOptions[];
	const operationFields = description.properties.filter((p): p is INodeProperties => p.name === 'operation');
	return resources.flatMap((resource) =>
		operationFields
			.filter((field) => (field.displayOptions?.show?.resource as string[] | undefined)?.includes(String(resource.value)))
			.flatMap((field) => (field.options as INodePropertyOptions[]).map((op) => ({ resource: String(resource.value), operation: String(op.value), action: op.action ?? '' }))),
	);
}

describe.each([
	['ActivatePro User', nodeType('n8n-nodes-rankr.activateProUser', 1).description, 6],
	['Email API', nodeType('n8n-nodes-rankr.emailApi', 1).description, 16],
])('%s as an AI tool, description set automatically', (_name, description, count) => {
	const operations = operationsOf(description);

	it('offers every operation under a resource, so n8n can name it', () => {
		expect(operations).toHaveLength(count);
	});

	it('describes each operation with its own action, e.g. "Get a user by ID in <node>"', () => {
		const seen = operations.map(({ resource, operation }) => NodeHelpers.makeDescription({ resource, operation }, description));
		expect(seen).toEqual(operations.map(({ action }) => `${action} in ${description.defaults.name}`));
		expect(new Set(seen).size).toBe(operations.length);
		expect(seen).not.toContain(description.description);
	});

	// The lists are built from each operation file's own entry (out of reach of n8n's lint, which checks literal
	// lists), so the order n8n's editor uses is held here.
	it('lists each resource\'s operations by name, case aside', () => {
		for (const field of description.properties.filter((p) => p.name === 'operation')) {
			const names = (field.options as INodePropertyOptions[]).map((option) => option.name);
			expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
		}
	});

	it('says what to pass where an operation needs an identifier', () => {
		const byId = operations.filter(({ operation }) => ['get', 'delete', 'update'].includes(operation));
		for (const { action } of byId) expect(action).toMatch(/by (ID|email)$/);
	});
});
