//! What is not a record: the sealed master secret, the cluster binding, statistics and
//! usage, error display.

use super::*;

pub(super) fn sealed_master_secret_round_trip(s: &dyn Storage) {
    assert_eq!(s.load_sealed_master_secret().unwrap(), None);
    s.clear_sealed_master_secret().unwrap();
    s.store_sealed_master_secret(&[1, 2, 3]).unwrap();
    assert_eq!(s.load_sealed_master_secret().unwrap(), Some(vec![1, 2, 3]));
    s.store_sealed_master_secret(&[9; 100]).unwrap();
    assert_eq!(s.load_sealed_master_secret().unwrap(), Some(vec![9; 100]));
    s.clear_sealed_master_secret().unwrap();
    assert_eq!(s.load_sealed_master_secret().unwrap(), None);
}

pub(super) fn binding_check(s: &dyn Storage) {
    let want = ClusterBinding {
        chain_id: 31337,
        nova_app_registry: "0x0f68e6e699f2e972998a1ecc000c7ce103e64cc8".into(),
        kms_registry: "0x6a28d24c9aecdcec9b021ee6960fdde592796af7".into(),
        kms_app_id: 49,
        node_wallet: N1.into(),
    };
    assert_eq!(s.binding().unwrap(), None);
    check_binding(s, &want).unwrap();
    assert_eq!(s.binding().unwrap(), Some(want.clone()));
    check_binding(s, &want).unwrap();
    let mixed_case = ClusterBinding {
        kms_registry: want.kms_registry.to_uppercase().replace("0X", "0x"),
        ..want.clone()
    };
    check_binding(s, &mixed_case).unwrap();
    let new_wallet = ClusterBinding {
        node_wallet: N2.into(),
        ..want.clone()
    };
    check_binding(s, &new_wallet).unwrap();
    assert_eq!(s.binding().unwrap().unwrap().node_wallet, N2);
    let cases = [
        (
            ClusterBinding {
                chain_id: 1,
                ..want.clone()
            },
            "database belongs to another cluster: chain id 31337 != 1",
        ),
        (
            ClusterBinding {
                nova_app_registry: "0x00000000000000000000000000000000000000aa".into(),
                ..want.clone()
            },
            "NovaAppRegistry address",
        ),
        (
            ClusterBinding {
                kms_registry: "0x00000000000000000000000000000000000000bb".into(),
                ..want.clone()
            },
            "KMSRegistry address",
        ),
        (
            ClusterBinding {
                kms_app_id: 50,
                ..want.clone()
            },
            "KMS app id 49 != 50",
        ),
    ];
    for (other, msg) in cases {
        let e = check_binding(s, &other).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Refused);
        assert!(e.message().contains(msg), "{e}");
    }
    assert_eq!(
        s.binding().unwrap().unwrap().node_wallet,
        N2,
        "refusals change nothing"
    );
}

pub(super) fn stats_usage_and_snapshot(s: &dyn Storage) {
    assert_eq!(s.stats(0).unwrap(), StoreStats::default());
    assert_eq!(s.app_usage(APP).unwrap(), AppUsage::default());
    assert!(s.snapshot(0).unwrap().is_empty());
    put(s, APP, "b", 30, 10, &lim());
    put(s, APP, "a", 20, 10, &lim());
    put(s, APP, "t", 20, 10, &lim());
    s.delete_local(APP, "t", N1, 11).unwrap();
    s.put_local(OTHER_APP, "x", vec![0; 9], 5, N1, 10, &lim())
        .unwrap();
    let st = s.stats(12).unwrap();
    assert_eq!(
        st,
        StoreStats {
            namespaces: 2,
            total_keys: 3,
            total_bytes: 30 + 20 + 1 + 10
        }
    );
    let st = s.stats(16).unwrap();
    assert_eq!(
        (st.total_keys, st.total_bytes),
        (2, 61),
        "expired not live, still accounted"
    );
    assert_eq!(
        s.app_usage(APP).unwrap(),
        AppUsage {
            bytes: 51,
            live_keys: 2,
            tombstones: 1
        }
    );
    let snap = s.snapshot(16).unwrap();
    assert_eq!(
        snap.keys().copied().collect::<Vec<_>>(),
        vec![APP, OTHER_APP]
    );
    let keys: Vec<(&str, bool)> = snap[&APP]
        .iter()
        .map(|r| (r.key.as_str(), r.tombstone))
        .collect();
    assert_eq!(keys, vec![("a", false), ("b", false), ("t", true)]);
    assert!(
        snap[&OTHER_APP].is_empty(),
        "expired excluded, namespace listed"
    );
    assert_eq!(s.snapshot(12).unwrap()[&OTHER_APP].len(), 1);
    // the snapshot carries full records
    assert_eq!(snap[&APP][0], s.get(APP, "a").unwrap().unwrap());
}

pub(super) fn for_each_record_visits_every_record_in_order(s: &dyn Storage) {
    let mut none = 0;
    s.for_each_record(&mut |_, _| {
        none += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(none, 0);
    // Written out of order, across two apps, with a tombstone and an expiring record.
    put(s, OTHER_APP, "z", 10, 10, &lim());
    put(s, APP, "é", 10, 10, &lim());
    put(s, APP, "b", 10, 10, &lim());
    put(s, APP, "a", 10, 10, &lim());
    s.delete_local(APP, "b", N1, 11).unwrap();
    s.put_local(OTHER_APP, "x", vec![0; 9], 5, N1, 10, &lim())
        .unwrap();
    let mut seen: Vec<(u64, Record)> = Vec::new();
    s.for_each_record(&mut |app, r| {
        seen.push((app, r.clone()));
        Ok(())
    })
    .unwrap();
    let keys: Vec<(u64, &str)> = seen.iter().map(|(a, r)| (*a, r.key.as_str())).collect();
    let mut want = vec![
        (APP, "a"),
        (APP, "b"),
        (APP, "é"),
        (OTHER_APP, "x"),
        (OTHER_APP, "z"),
    ];
    want.sort_by_key(|(a, k)| (*a, k.as_bytes().to_vec()));
    assert_eq!(
        keys, want,
        "(app id, key bytes) order, expired and tombstones included"
    );
    // The records are the stored ones (a snapshot at 0 excludes nothing).
    let snap = s.snapshot(0).unwrap();
    let flat: Vec<(u64, Record)> = snap
        .iter()
        .flat_map(|(a, v)| v.iter().map(|r| (*a, r.clone())))
        .collect();
    assert_eq!(seen, flat);
    // A visitor's error stops the scan and comes back as is.
    let mut calls = 0;
    let err = s
        .for_each_record(&mut |_, _| {
            calls += 1;
            Err(Error::local("stop here"))
        })
        .unwrap_err();
    assert_eq!((calls, err.to_string().contains("stop here")), (1, true));
}

pub(super) fn write_error_display_and_conversion(_s: &dyn Storage) {
    let e = WriteError::QuotaExceeded {
        used: 11,
        budget: 10,
    };
    assert_eq!(
        e.to_string(),
        "app storage quota exceeded: 11 bytes needed, budget 10 bytes"
    );
    let inner = Error::integrity("boom");
    let w: WriteError = inner.into();
    let back: Error = w.into();
    assert_eq!(
        (back.kind(), back.message()),
        (ErrorKind::Integrity, "boom")
    );
}
