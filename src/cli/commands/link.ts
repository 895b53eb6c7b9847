import type { Command } from 'commander';
import type { Deps } from './shared.js';
import { registerLinkApprovalCommands } from './link-approval.js';

/** `portico link …`: product links (an application's access to a product). */
export function registerLinkCommands(program: Command, deps: Deps): void {
  const link = program.command('link').description("approve or reject a client application's link to a product that requires approval");
  registerLinkApprovalCommands(link, deps);
}
