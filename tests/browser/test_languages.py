import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_swedish_link_opens_the_same_service_point_in_swedish(page, espoo_network):
    page.goto("/fi/service-points/tapiola/")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tapiolan asiointipiste")

    page.get_by_role("link", name="På svenska").click()

    expect(page).to_have_url(re.compile(r"/sv/service-points/tapiola/$"))
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Servicepunkten i Hagalund")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Köpmansvägen 1")
    expect(main).to_contain_text("02100 Esbo")
    expect(main).to_contain_text("Stor-Hagalund")
    expect(main).to_contain_text("sista öppetdagen var 30.6.2023")
    expect(main).to_contain_text("Enligt planen (16.12.2021) stängs servicepunkten i slutet av juni 2023")
    expect(main.get_by_role("link", name="Servicepunkten i Mattby")).to_have_attribute(
        "href", "/sv/service-points/matinkyla/"
    )
    expect(page.get_by_role("link", name="På svenska")).to_have_attribute("aria-current", "true")
    expect(page.get_by_role("link", name="Suomeksi")).to_have_attribute("href", "/fi/service-points/tapiola/")


def test_the_chosen_date_survives_a_change_of_language(page, espoo_network):
    page.goto("/fi/?on=2022-01-01")

    page.get_by_role("link", name="In English").click()

    expect(page).to_have_url(re.compile(r"/en/\?on=2022-01-01$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#service-point-list > li[data-slug=tapiola] .place-list__name")).to_have_text(
        "Tapiola service point"
    )
    expect(page.locator("#service-point-list > li[data-slug=tapiola]")).to_have_attribute("data-status", "open")
