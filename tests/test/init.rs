//! `monstack init`.

use std::os::unix::fs::PermissionsExt;

use crate::Project;

#[test]
fn init_scaffolds_a_project_that_renders() {
    let p = Project::empty();
    p.run(&["init", "shop", "--with", "node,blackbox,http"]).status(0).stdout_has("project `shop` is ready");
    let dir = p.path().join("shop");
    for rel in ["monstack.yaml", "alerts/README.md", "dashboards/README.md", "templates/README.md", ".gitignore"] {
        assert!(dir.join(rel).is_file(), "{rel} missing");
    }
    let spec = p.read("shop/monstack.yaml");
    assert!(spec.contains("project: shop\n"), "{spec}");
    assert!(spec.contains("# Names the containers"), "the spec should be commented");
    let secret = dir.join("secrets/grafana_admin_password");
    assert_eq!(std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::metadata(dir.join("secrets")).unwrap().permissions().mode() & 0o777, 0o700);
    assert_eq!(p.read("shop/secrets/grafana_admin_password").trim().len(), 32);
    let ignore = p.read("shop/.gitignore");
    assert!(ignore.contains("/build/") && ignore.contains("/secrets/"), "{ignore}");

    p.run(&["render", "-C", "shop"]).status(0);
    assert!(dir.join("build/prometheus/rules/http.yml").is_file());
    assert!(dir.join("build/grafana/dashboards/http.json").is_file());
    assert!(dir.join("build/prometheus/rules/node.yml").is_file());
    assert!(!dir.join("build/prometheus/rules/redis.yml").exists());
    // The password never reaches the rendered tree.
    let password = p.read("shop/secrets/grafana_admin_password");
    for rel in crate::files_below(&dir.join("build")) {
        let text = std::fs::read_to_string(dir.join("build").join(&rel)).unwrap();
        assert!(!text.contains(password.trim()), "{} holds the admin password", rel.display());
    }
}

#[test]
fn init_refuses_to_overwrite_and_lists_the_files() {
    let p = Project::empty();
    p.run(&["init", "."]).status(0);
    let password = p.read("secrets/grafana_admin_password");
    p.write("monstack.yaml", "project: mine\n");
    let run = p.run(&["init", "."]);
    run.status(2)
        .stderr_has("refusing to overwrite existing files")
        .stderr_has("monstack.yaml")
        .stderr_has(".gitignore");
    run.stderr_has("--force");
    assert_eq!(p.read("monstack.yaml"), "project: mine\n", "a user's file was changed");
    assert_eq!(p.read("secrets/grafana_admin_password"), password);
}

#[test]
fn init_force_overwrites() {
    let p = Project::empty();
    p.write("monstack.yaml", "project: mine\n");
    p.run(&["init", ".", "--force"]).status(0);
    assert!(p.read("monstack.yaml").contains("# monstack.yaml: the whole monitoring stack"));
}

#[test]
fn init_rejects_unknown_components() {
    let p = Project::empty();
    p.run(&["init", ".", "--with", "mysql"]).status(2).stderr_has("invalid value 'mysql'");
    assert!(!p.path().join("monstack.yaml").exists());
}
