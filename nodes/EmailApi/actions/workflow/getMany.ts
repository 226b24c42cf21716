// Email API → Workflow → Get Many: GET /workflows/?locationId=, with its fields. Uses the common location list.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { getManyOfLocation, locationField, returnAllFields } from '../common';

const show = { resource: ['workflow'], operation: ['getMany'] };
export const properties: INodeProperties[] = [locationField(show), ...returnAllFields(show)];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = {
	name: 'Get Many',
	value: 'getMany',
	action: 'Get many workflows',
	description: "List the location's workflows with their ID and name",
};

/** GET /workflows/?locationId= — each workflow as an item with workflowId and name first. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const workflows = await getManyOfLocation(this, itemIndex, {
		path: '/workflows/',
		key: 'workflows',
		action: 'list the workflows',
		scope: 'workflows.readonly',
	});
	return workflows.map(({ id, name, ...rest }) => ({ workflowId: id, name, ...rest }));
}
