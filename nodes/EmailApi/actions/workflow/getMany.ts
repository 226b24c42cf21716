import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { emailApiError, emailApiRequest, emailApiSettings, isSuccess } from '../../transport';
import { locationField, locationOf, returnAllFields } from '../common';

const show = { resource: ['workflow'], operation: ['getMany'] };
export const properties: INodeProperties[] = [locationField(show), ...returnAllFields(show)];

/** GET /workflows/?locationId= — each workflow as an item with workflowId and name first. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const settings = await emailApiSettings(this);
	const locationId = locationOf(this, settings, itemIndex);
	const answer = await emailApiRequest(this, { method: 'GET', path: '/workflows/', qs: { locationId }, itemIndex }, settings);
	if (!isSuccess(answer)) throw emailApiError(this.getNode(), answer, { action: 'list the workflows', scope: 'workflows.readonly', itemIndex });
	const workflows = ((answer.body as IDataObject)?.workflows ?? []) as IDataObject[];
	const out = workflows.map(({ id, name, ...rest }) => ({ workflowId: id, name, ...rest }));
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	return returnAll ? out : out.slice(0, this.getNodeParameter('limit', itemIndex, 50) as number);
}
