// Shared: what both action nodes declare alike in their description: the Authentication, Resource and Operation
// selectors, field collections. Uses n8n-workflow only.
import type { IDisplayOptions, INodePropertyOptions, INodeProperties } from 'n8n-workflow';

/** The Authentication selector of a node with several credentials: n8n asks for the chosen one's credential. */
export function authenticationSelector(defaultMethod: string, options: INodePropertyOptions[]): INodeProperties {
	return { displayName: 'Authentication', name: 'authentication', type: 'options', options, default: defaultMethod };
}

/** The Resource selector. Kept even for one resource: n8n names each AI tool after its resource's operation. */
export function resourceSelector(defaultResource: string, options: INodePropertyOptions[]): INodeProperties {
	return {
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		default: defaultResource,
		options,
	};
}

/** Options in the order n8n lists them: by name, case aside. */
export const byName = (a: { name: string }, b: { name: string }): number => {
	const [x, y] = [a.name.toLowerCase(), b.name.toLowerCase()];
	return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * The Operation selector of one resource, from its operations' own entries (each operation file declares its
 * option, with the `action` n8n shows and names AI tools with), listed by name.
 */
export function operationSelector(
	resource: string,
	defaultOperation: string,
	operations: Array<{ option: INodePropertyOptions }>,
): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: defaultOperation,
		displayOptions: { show: { resource: [resource] } },
		options: operations.map((operation) => operation.option).sort(byName),
	};
}

/** The collections a node offers, with the title and "add" button n8n shows for each. */
const COLLECTIONS = {
	additionalFields: { displayName: 'Additional Fields', placeholder: 'Add Field' },
	updateFields: { displayName: 'Update Fields', placeholder: 'Add Field' },
	options: { displayName: 'Options', placeholder: 'Add option' },
} as const;

/** An optional-fields collection (Additional Fields, Update Fields, Options), shown where `show` says, if given. */
export function fieldCollection(
	name: keyof typeof COLLECTIONS,
	show: IDisplayOptions['show'] | undefined,
	options: INodeProperties[],
): INodeProperties {
	return {
		...COLLECTIONS[name],
		name,
		type: 'collection',
		default: {},
		...(show ? { displayOptions: { show } } : {}),
		options,
	};
}
