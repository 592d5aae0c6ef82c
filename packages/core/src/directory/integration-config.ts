import { checkHeartbeatConfig } from '../ingest/heartbeat.js';
import { invalidField } from '../shared/errors.js';
import type { IntegrationType } from './directory.js';

const stringFields: Partial<Record<IntegrationType, string[]>> = {
  grafana: ['signing_secret', 'timestamp_header'],
};

const mappingFields = ['summary', 'source', 'severity', 'dedup_key', 'status'] as const;
const mappingLists = ['resolved_values', 'acknowledged_values'] as const;

/**
 * Checks an integration's settings when they are saved, so a mistake is a 400 now rather than
 * every later event failing (a Grafana secret that is not a string would silently turn signing off).
 */
export function checkIntegrationConfig(type: IntegrationType, config: Record<string, unknown>): void {
  for (const field of stringFields[type] ?? []) {
    const value = config[field];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw invalidField(`/config/${field}`, 'must be a string');
    }
  }
  if (type === 'heartbeat') checkHeartbeatConfig(config);
  if (type === 'generic' && config.mapping !== undefined) {
    const mapping = config.mapping;
    if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) {
      throw invalidField('/config/mapping', 'must be an object of JSON paths');
    }
    for (const [key, value] of Object.entries(mapping)) {
      if ((mappingFields as readonly string[]).includes(key)) {
        if (typeof value !== 'string' || value.trim() === '')
          throw invalidField(`/config/mapping/${key}`, 'must be a JSON path such as $.alert.title');
      } else if ((mappingLists as readonly string[]).includes(key)) {
        if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
          throw invalidField(`/config/mapping/${key}`, 'must be a list of strings');
        }
      } else {
        throw invalidField(
          `/config/mapping/${key}`,
          `is not a known field (${[...mappingFields, ...mappingLists].join(', ')})`,
        );
      }
    }
  }
}
