import type { DockerContainer, DockerFacts } from '../../src/collectors/docker/schema.js';

/** The container of a compose service in a docker collection; a missing one fails the test. */
export function serviceContainer(data: DockerFacts, service: string): DockerContainer {
  const c = data.containers.find((x) => x.service === service);
  if (!c) throw new Error(`no container for service ${service}`);
  return c;
}
