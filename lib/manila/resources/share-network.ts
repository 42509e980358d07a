import { z } from 'zod';
import { compareStrings } from '../../util/compare';

/** Share networks and their subnets (`GET /share-networks/detail`), as ../types.ts describes the view. */

/** A share network subnet. */
export interface ShareNetworkSubnet {
  readonly id: string;
  readonly availabilityZone: string | null;
  readonly neutronNetId?: string;
  readonly neutronSubnetId?: string;
}

/** A share network. */
export interface ShareNetwork {
  readonly id: string;
  readonly name?: string;
  readonly projectId: string;
  /** 2.63+; `undefined` before. */
  readonly status?: string;
  readonly subnets: readonly ShareNetworkSubnet[];
}

const shareNetworkSchema = z
  .object({
    id: z.string(),
    name: z.string().nullish(),
    project_id: z.string().nullish(),
    status: z.string().nullish(),
    share_network_subnets: z
      .array(
        z
          .object({
            id: z.string(),
            availability_zone: z.string().nullish(),
            neutron_net_id: z.string().nullish(),
            neutron_subnet_id: z.string().nullish(),
          })
          .loose(),
      )
      .nullish(),
  })
  .loose();

const shareNetworkView = shareNetworkSchema.transform((n): ShareNetwork => ({
    id: n.id,
    name: n.name ?? undefined,
    projectId: n.project_id ?? '',
    status: n.status ?? undefined,
    subnets: (n.share_network_subnets ?? [])
      .map((s) => ({
        id: s.id,
        availabilityZone: s.availability_zone ?? null,
        neutronNetId: s.neutron_net_id ?? undefined,
        neutronSubnetId: s.neutron_subnet_id ?? undefined,
      }))
      .sort((a, b) => compareStrings(a.id, b.id)),
  }));

/** Parses one share network. */
export function parseShareNetwork(raw: unknown): ShareNetwork {
  return shareNetworkView.parse(raw);
}
