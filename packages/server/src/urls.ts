/** Addresses in the web app that messages and the API link to (VIGIL_PUBLIC_URL + a path). */
export const incidentUrl = (publicUrl: string, number: number) => `${publicUrl}/incidents/${number}`;
export const scheduleUrl = (publicUrl: string, id: string) => `${publicUrl}/schedules/${id}`;
