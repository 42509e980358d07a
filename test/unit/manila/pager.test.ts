import { mockCloud } from '../../helper/mock-cloud';

/** A Manila that caps a list at `cap` items, as `common.limited` does with osapi_max_limit. */
function cappedList(cloud: ReturnType<typeof mockCloud>, path: string, key: string, items: Array<{ id: string }>, cap: number): void {
  cloud.manila
    .intercept({ path: (p) => p.startsWith(path), method: 'GET' })
    .reply((o) => {
      cloud.record(o);
      const q = new URL(`http://x${o.path}`).searchParams;
      const offset = Number(q.get('offset') ?? 0);
      const limit = Math.min(cap, Number(q.get('limit') ?? cap));
      return { statusCode: 200, data: { [key]: items.slice(offset, offset + limit) } };
    })
    .persist();
}

const net = (i: number) => ({ id: `n${i}`, name: `net-${i}`, project_id: 'p', share_network_subnets: [] });

describe('the pager', () => {
  test('reads every share network past a cap the client does not know (osapi_max_limit = 2, 5 networks)', async () => {
    const cloud = mockCloud();
    cappedList(cloud, '/v2/share-networks/detail', 'share_networks', [1, 2, 3, 4, 5].map(net), 2);
    const got = await cloud.client({ pageSize: 1000 }).listShareNetworks();
    expect(got.map((n) => n.id)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    const pages = cloud.seen.filter((r) => r.path.startsWith('/v2/share-networks/detail')).map((r) => new URL(`http://x${r.path}`).searchParams.get('offset'));
    // pages of 2, 2, then the tail of 1: a page shorter than an earlier one is the last
    expect(pages).toEqual(['0', '2', '4']);
  });

  test('a list shorter than the page size is confirmed by one empty page', async () => {
    const cloud = mockCloud();
    cappedList(cloud, '/v2/share-networks/detail', 'share_networks', [1, 2, 3].map(net), 1000);
    expect((await cloud.client().listShareNetworks()).length).toBe(3);
    expect(cloud.seen.filter((r) => r.path.startsWith('/v2/share-networks/detail')).length).toBe(2);
  });

  test('a later read shorter than a page seen before takes one request: the cap is at least that long', async () => {
    const cloud = mockCloud();
    let items = [1, 2, 3, 4, 5].map(net);
    cloud.manila
      .intercept({ path: (p) => p.startsWith('/v2/share-networks/detail'), method: 'GET' })
      .reply((o) => {
        cloud.record(o);
        const q = new URL(`http://x${o.path}`).searchParams;
        const offset = Number(q.get('offset') ?? 0);
        return { statusCode: 200, data: { share_networks: items.slice(offset, offset + Math.min(2, Number(q.get('limit')))) } };
      })
      .persist();
    const client = cloud.client({ pageSize: 1000 });
    expect(await client.listShareNetworks()).toHaveLength(5);
    const before = cloud.seen.length;
    // A page of 1 after pages of 2 cannot have been cut: no page to confirm it.
    items = [net(9)];
    expect((await client.listShareNetworks()).map((x) => x.id)).toEqual(['n9']);
    expect(cloud.seen.length - before).toBe(1);
  });

  test('shares and snapshots are read past pages the database cut short (its LIMIT counts joined rows)', async () => {
    const cloud = mockCloud();
    // Manila's query joins each snapshot's instances and metadata, then applies LIMIT/OFFSET to
    // the rows: s1 spans five rows, so a page of 5 holds s1 alone (seen live on Zed and Epoxy).
    const rows = ['s1', 's1', 's1', 's1', 's1', 's2', 's3', 's3', 's4', 's5'];
    cloud.manila
      .intercept({ path: (p) => p.startsWith('/v2/snapshots/detail'), method: 'GET' })
      .reply((o) => {
        cloud.record(o);
        const q = new URL(`http://x${o.path}`).searchParams;
        const offset = Number(q.get('offset'));
        const ids = [...new Set(rows.slice(offset, offset + Number(q.get('limit'))))];
        return { statusCode: 200, data: { snapshots: ids.map((id) => ({ id, share_id: 'sh', status: 'available' })) } };
      })
      .persist();
    const client = cloud.client({ pageSize: 5 });
    expect((await client.listSnapshots()).map((s) => s.id)).toEqual(['s1', 's2', 's3', 's4', 's5']);
    // A second read, after a longer page was seen, still goes on to the empty page.
    expect((await client.listSnapshots()).map((s) => s.id)).toEqual(['s1', 's2', 's3', 's4', 's5']);
    const offsets = cloud.seen.filter((r) => r.path.startsWith('/v2/snapshots/detail')).map((r) => new URL(`http://x${r.path}`).searchParams.get('offset'));
    expect(offsets.slice(-1)[0]).toBe(String(rows.length));
  });

  test('items seen twice (the list moved under the pager) are kept once', async () => {
    const cloud = mockCloud();
    let call = 0;
    cloud.manila
      .intercept({ path: (p) => p.startsWith('/v2/snapshots/detail'), method: 'GET' })
      .reply(() => {
        call++;
        const pages = [[{ id: 'a' }, { id: 'b' }], [{ id: 'b' }, { id: 'c' }], []];
        return { statusCode: 200, data: { snapshots: pages[call - 1].map((s) => ({ ...s, share_id: 'sh', status: 'available' })) } };
      })
      .persist();
    expect((await cloud.client({ pageSize: 2 }).listSnapshots()).map((s) => s.id)).toEqual(['a', 'b', 'c']);
  });

  test('shares and snapshots are asked oldest first, so new items land on later pages', async () => {
    const cloud = mockCloud();
    cappedList(cloud, '/v2/shares/detail', 'shares', [], 10);
    await cloud.client().listShares();
    const q = new URL(`http://x${cloud.seen.find((r) => r.path.startsWith('/v2/shares/detail'))!.path}`).searchParams;
    expect([q.get('sort_key'), q.get('sort_dir'), q.get('limit'), q.get('offset')]).toEqual(['created_at', 'asc', '1000', '0']);
  });
});
