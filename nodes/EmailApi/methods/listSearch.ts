// Email API's "From List" pickers: the location's workflows and its contact custom fields, filtered by name.
// Uses transport, answers, actions/contact/customFields.
import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { fieldLabel, locationCustomFields } from '../actions/contact/customFields';
import { emailApiError, isSuccess } from '../answers';
import { emailApiRequest, emailApiSettings } from '../transport';

/** The location's workflows for the "From List" picker, filtered by name as the user types. */
export async function searchWorkflows(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const settings = await emailApiSettings(this);
	const locationId = String(this.getNodeParameter('locationId', '') || settings.locationId);
	const answer = await emailApiRequest(this, { method: 'GET', path: '/workflows/', qs: { locationId } }, settings);
	if (!isSuccess(answer))
		throw emailApiError(this.getNode(), answer, { action: 'list the workflows', scope: 'workflows.readonly' });
	const needle = (filter ?? '').toLowerCase();
	const results = (((answer.body as IDataObject)?.workflows ?? []) as IDataObject[])
		.filter(
			(w) =>
				!needle ||
				String(w.name ?? '')
					.toLowerCase()
					.includes(needle),
		)
		.sort((a, b) => String(a.name).localeCompare(String(b.name)))
		.map((w) => ({
			name: w.status && w.status !== 'published' ? `${w.name} (${w.status})` : String(w.name),
			value: String(w.id),
		}));
	return { results };
}

/** The location's contact custom fields for the Custom Fields picker: by name, with the type, filtered as the user types. */
export async function searchCustomFields(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const settings = await emailApiSettings(this);
	const locationId = String(this.getNodeParameter('locationId', '') || settings.locationId);
	const needle = (filter ?? '').toLowerCase();
	const results = (await locationCustomFields(this, settings, locationId))
		.filter((f) => !needle || f.name.toLowerCase().includes(needle))
		.sort((a, b) => a.name.localeCompare(b.name))
		.map((f) => ({ name: fieldLabel(f), value: f.id }));
	return { results };
}
