def test_demo_fixture(demo_store, demo_run):
    assert demo_store.count("orders") == demo_run.ingests["orders"].orders
