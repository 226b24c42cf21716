// Email API → Workflow → Get Many: GET /workflows/?locationId=, with its fields. Uses transport, answers, common.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { emailApiError, isSuccess } from '../../answers';
import { emailApiRequest, emailApiSettings } from '../../transport';
import { locationField, locationOf, returnAllFields } from '../common';

const show = { resource: ['workflow'], operation: ['getMany'] };
export const properties: INodeProperties[] = [locationField(show), ...returnAllFields(show)];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = {
	name: 'Get Many',
	value: 'getMany',
	action: 'Get many workflows',
	description: "List the location's workflows with their ID and name",
};

/**
 * GET /workflows/?locationId= of the item's location (one answer holds them all), trimmed as Return All / Limit
 * say — each workflow as an item with workflowId and name first.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const settings = await emailApiSettings(this);
	const locationId = locationOf(this, settings, itemIndex);
	const answer = await emailApiRequest(
		this,
		{ method: 'GET', path: '/workflows/', qs: { locationId }, itemIndex },
		settings,
	);
	if (!isSuccess(answer)) {
		throw emailApiError(this.getNode(), answer, {
			action: 'list the workflows',
			scope: 'workflows.readonly',
			itemIndex,
		});
	}
	const all = ((answer.body as IDataObject)?.workflows ?? []) as IDataObject[];
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const workflows = returnAll ? all : all.slice(0, this.getNodeParameter('limit', itemIndex, 50) as number);
	return workflows.map(({ id, name, ...rest }) => ({ workflowId: id, name, ...rest }));
}
