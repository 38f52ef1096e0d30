use junction::{select_biased, unbounded};

fn main() {
    let (_s, r) = unbounded::<i32>();
    select_biased! {
        biased;
        recv(r) -> msg => println!("{msg:?}"),
    }
}
