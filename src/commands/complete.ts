// Hidden verb `__complete`: answers shell completion in cobra's protocol, which is what kubectl
// (1.26+) expects from `kubectl_complete-mesh`: one candidate per line ("value" or
// "value<TAB>description"), then a last line ":<directive>".
//   kubectl-mesh __complete -- WORD... CURRENT
// The words are everything after `mesh`; the last one is the word being completed ("" after a space).
// `planCompletion` (src/ui/completion-plan.ts) decides from the Command registry alone; `run` does the look-ups a plan
// asks for (kubeconfig, cluster) with a short timeout and stays silent when they fail.
import { commonFlags } from '../cli/global-flags.js';
import { createContext, type Context } from '../context.js';
import type { KubeClient } from '../kube/index.js';
import { serviceSelects } from '../model/labels.js';
import type { Deployment, Service } from '../model/objects.js';
import { Directive, formatCompletions, planCompletion, subsetNames, type Plan } from '../ui/completion-plan.js';
import type { Command } from './command.js';
import { scopeOptions } from './support/options.js';

/** Names for a look-up; throws on any failure (the caller stays silent). */
async function lookUp(plan: Extract<Plan, { kind: 'lookup' }>, ctx: Context): Promise<string[]> {
  if (plan.lookup === 'contexts' || plan.lookup === 'clusters' || plan.lookup === 'users') {
    const { kubeconfigPaths, loadKubeconfig } = await import('../kube/kubeconfig.js');
    const kc = loadKubeconfig(kubeconfigPaths({ kubeconfig: scopeOptions(plan.flags).kubeconfig, env: ctx.env }));
    return [...{ contexts: kc.contexts, clusters: kc.clusters, users: kc.users }[plan.lookup].keys()];
  }
  const kube = await ctx.kube();
  try {
    if (plan.lookup === 'namespaces') return (await kube.list('Namespace', undefined)).map((o) => o.metadata.name ?? '');
    if (plan.lookup === 'services') return (await kube.list('Service', kube.namespace)).map((o) => o.metadata.name ?? '');
    const [rules, versions] = await Promise.all([
      kube.list('DestinationRule', kube.namespace),
      plan.service ? versionsOf(kube, plan.service, scopeOptions(plan.flags).versionLabel) : Promise.resolve([]),
    ]);
    return [...subsetNames(rules, plan.service, kube.namespace), ...versions];
  } finally {
    kube.close();
  }
}

/** The version label values of the Deployments whose pods the Service selects (subsets to be). */
async function versionsOf(kube: KubeClient, service: string, label: string): Promise<string[]> {
  const svc = await kube.get<Service>('Service', kube.namespace, service);
  const selector = svc?.spec?.selector;
  // A Service without a selector selects no pods: no Deployments to ask for.
  if (!selector || !Object.keys(selector).length) return [];
  const deployments = await kube.list<Deployment>('Deployment', kube.namespace);
  return deployments.flatMap((d) => {
    const labels = d.spec?.template?.metadata?.labels;
    const value = labels?.[label];
    return value && serviceSelects(selector, labels) ? [value] : [];
  });
}

export const LOOKUP_TIMEOUT_MS = 1000;

/** `__complete`, answering for the verbs `all()` lists (handed in: the registry imports this file). */
export const completeCommandFor = (all: () => Command[]): Command => ({
  name: '__complete',
  summary: 'Shell completion protocol (used by kubectl_complete-mesh and the completion scripts)',
  usage: '__complete -- WORD... CURRENT',
  examples: ['kubectl-mesh __complete -- canary 20 ""'],
  flags: [],
  async run(ctx, args) {
    const plan = planCompletion(args, { commands: all(), common: commonFlags });
    if (plan.kind === 'static') {
      ctx.streams.stdout.write(formatCompletions(plan.candidates, plan.directive));
      return;
    }
    // Look-ups use the connection flags typed so far, and never wait long or print errors.
    const lookupCtx = createContext(ctx.streams, ctx.env, { 'request-timeout': '1s', ...plan.flags });
    let names: string[] = [];
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    try {
      names = await Promise.race([
        lookUp(plan, lookupCtx),
        new Promise<string[]>((resolve) => {
          timer = setTimeout(() => {
            timedOut = true;
            resolve([]);
          }, LOOKUP_TIMEOUT_MS);
        }),
      ]);
    } catch {
      /* silent: completion must never print an error */
    } finally {
      clearTimeout(timer);
    }
    const candidates = [...new Set(names)]
      .sort()
      .filter((n) => n.startsWith(plan.prefix))
      .map((value) => ({ value }));
    ctx.streams.stdout.write(formatCompletions(candidates, Directive.noFileComp));
    // A hung API server (or credential plugin) would keep the process, and so the shell, waiting:
    // the answer is written (stdout to a pipe or file is synchronous), so leave now.
    if (timedOut) setTimeout(() => process.exit(0), 0).unref();
  },
});
