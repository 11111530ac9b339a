// A buyer dashboard's view code over the generated operation types: tsc --strict fails when the schema
// changes under it (a field renamed, made nullable, a scalar typed differently, an enum value gone).
import type {
  DashboardNodesQuery,
  FindingMessageCode,
  MessageTermKind,
  MyOpenRfpsQuery,
  MyOpenRfpsQueryVariables,
  RfpAuditQuery,
  RfpRankingQuery,
  RfpStatus,
  ShortlistMutation,
} from "./generated/graphql";

type RankedEdge = NonNullable<RfpRankingQuery["rfp"]>["rankedProposals"]["edges"][number];
type Finding = RankedEdge["score"]["findings"][number];
type Term = Finding["terms"][number];

// Default order is CREATED_AT DESC; the dashboard asks for the nearest deadline first.
export const openRfpsFirstPage: MyOpenRfpsQueryVariables = {
  first: 20,
  filter: { status: ["OPEN"], deadlineAfter: new Date().toISOString() },
  orderBy: { field: "SUBMISSION_DEADLINE", direction: "ASC" },
};

const STATUS_LABEL: Record<RfpStatus, string> = {
  DRAFT: "Entwurf",
  OPEN: "Offen",
  CLOSED: "Geschlossen",
  CANCELLED: "Abgebrochen",
  AWARDED: "Vergeben",
};

export function rfpRows(data: MyOpenRfpsQuery): string[] {
  return data.rfps.edges.map(({ node }) => {
    const deadline = new Date(node.submissionDeadline); // DateTime: ISO 8601 text
    // Decimal: an exact decimal string; never parsed to a float for money.
    const budget = node.monthlyBudget ? `${node.monthlyBudget.amount} ${node.monthlyBudget.currencyCode}` : "—";
    return `${node.title} · ${STATUS_LABEL[node.status]} · ${deadline.toISOString()} · ${budget}`;
  });
}

// A German UI renders findings from the code and the terms, never from the English message.
const GERMAN: Partial<Record<FindingMessageCode, string>> = {
  LONG_TERM: "{months}-Monats-Laufzeit, über der Norm von {norm} Monaten",
  OVER_BUDGET: "nicht zulässig: erwartete Monatskosten {cost} über dem Budget von {budget}",
};

function shown(term: Term): string {
  const kinds: Record<MessageTermKind, (t: Term) => string> = {
    NUMBER: (t) => t.value,
    PERCENT: (t) => `${t.value} %`,
    MONTHS: (t) => t.value,
    DAYS: (t) => t.value,
    HOURS: (t) => t.value,
    MONEY: (t) => (t.money ? `${t.money.amount} ${t.money.currencyCode}` : t.value),
    CODE: (t) => t.value,
    CODES: (t) => t.value,
    TEXT: (t) => t.value,
  };
  return kinds[term.kind](term);
}

export function findingText(finding: Finding): string {
  const template = finding.messageCode ? GERMAN[finding.messageCode] : undefined;
  if (template === undefined) {
    return finding.message; // the English sentence, for codes not yet translated or old scores
  }
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const term = finding.terms.find((t) => t.name === name);
    return term ? shown(term) : `{${name}}`;
  });
}

export function rankingRows(data: RfpRankingQuery): string[] {
  const rfp = data.rfp;
  if (!rfp) {
    return []; // unknown, or not visible to this key: one answer for both
  }
  return rfp.rankedProposals.edges.map((edge) => {
    const cost = edge.score.normalizedMonthlyCost;
    const notes = edge.score.findings.map(findingText).join("; ");
    return `#${edge.rank} ${edge.node.vendor.name} ${edge.score.total.toFixed(1)} ${cost.amount} ${cost.currencyCode} ${notes}`;
  });
}

export function auditLines(data: RfpAuditQuery): string[] {
  return data.rfp?.auditEvents.edges.map(({ node }) => `${node.at} ${node.action}`) ?? [];
}

export function nodeTitles(data: DashboardNodesQuery): string[] {
  return data.nodes.map((node) => {
    if (node === null) return "(not visible)";
    switch (node.__typename) {
      case "Rfp":
        return `${node.title} (${node.rfpStatus})`;
      case "Proposal":
        return `${node.rfp.title}: ${node.proposalStatus}`;
      default:
        return node.id;
    }
  });
}

export function shortlistError(result: ShortlistMutation): string | null {
  const [first] = result.shortlistProposal.userErrors;
  return first ? `${first.code}: ${first.message} (${first.field?.join(".") ?? "input"})` : null;
}
