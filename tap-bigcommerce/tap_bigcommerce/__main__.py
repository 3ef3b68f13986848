from tap_bigcommerce.tap import TapBigCommerce

TapBigCommerce.cli()
