// The compose files Docker Compose reads from a project directory when none is named, in its
// order of preference, and the override files it adds beside the first found.

export const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
export const OVERRIDE_FILES = [
  'compose.override.yml',
  'compose.override.yaml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
];
/** Every name compose may find by itself. */
export const COMPOSE_FILE_NAMES = [...DEFAULT_FILES, ...OVERRIDE_FILES];
